import PipelineCore
import XCTest

final class ChannelConfigTests: XCTestCase {
    func testNineBuiltInPresetsFollowChannelsTable() {
        let names = BuiltinPresets.all.map(\.name)
        for n in ["amazon-main", "amazon-alt", "shopify", "google", "meta-square", "instagram-portrait", "ebay", "walmart", "zalando"] {
            XCTAssertTrue(names.contains(n), n)
        }
        let amazon = BuiltinPresets.named("amazon-main")!
        XCTAssertEqual([amazon.width, amazon.height, amazon.quality, amazon.maxBytes], [2000, 2000, 95, 10_000_000])
        XCTAssertFalse(amazon.chromaSubsampling, "4:4:4")
        XCTAssertTrue(amazon.requiresWhiteBorder)
        XCTAssertEqual(BuiltinPresets.named("zalando").map { [$0.width, $0.height] }, [1801, 2600])
        XCTAssertEqual(BuiltinPresets.named("walmart")?.maxBytes, 5_000_000)
        for p in BuiltinPresets.all { XCTAssertEqual(p.problems(), [], p.name) }
    }

    func testEnablingOverridingAndDefiningPresets() throws {
        let c = try ConfigLoader.parse("""
        [export]
        channels = ["amazon-main", "shopify", "site-webp"]
        base_url = "https://cdn.example.com/photos/"
        [export.preset.shopify]
        quality = 80
        background = "#F4F4F4"
        [export.preset.site-webp]
        width = 1200
        height = 1500
        format = "webp"
        background = "transparent"
        fill = 0.9
        gravity = "bottom"
        name = "{sku}_{nn}.{ext}"
        """)
        XCTAssertEqual(c.export.enabled.map(\.name), ["amazon-main", "shopify", "site-webp"])
        XCTAssertEqual(c.export.baseURL, "https://cdn.example.com/photos")
        let shopify = c.export.presets["shopify"]!
        XCTAssertEqual(shopify.quality, 80)
        XCTAssertEqual(shopify.background, [244, 244, 244])
        XCTAssertEqual(shopify.width, 2048, "fields not overridden keep the built-in value")
        let site = c.export.presets["site-webp"]!
        XCTAssertEqual([site.width, site.height], [1200, 1500])
        XCTAssertEqual(site.format, .webp)
        XCTAssertNil(site.background)
        XCTAssertEqual(site.gravity, .bottom)
        XCTAssertEqual(site.nameTemplate, "{sku}_{nn}.{ext}")
    }

    func testBadPresetsAreRefusedWithKeyOrPreset() {
        func refused(_ text: String, _ needle: String, line: UInt = #line) {
            XCTAssertThrowsError(try ConfigLoader.parse(text), line: line) { e in
                XCTAssertTrue("\(e)".contains(needle), "\(e)", line: line)
            }
        }
        refused("[export]\nchannels = [\"amazon-mian\"]", "amazon-mian")
        refused("[export.preset.shopify]\nformat = \"gif\"", "must be one of")
        refused("[export.preset.shopify]\nname = \"{handel}.{ext}\"", "unknown token")
        refused("[export.preset.shopify]\nname = \"{handle}.jpg\"", "must end with .{ext}")
        refused("[export.preset.ebay]\nbackground = \"transparent\"", "transparent background needs png")
        refused("[export.preset.ebay]\nquality_floor = 95", "quality_floor")
        refused("[export]\nbase_url = \"ftp://x\"", "http(s) URL")
        refused("[export]\nchannels = [\"../x\"]", "plain folder name")
        refused("[export]\nchannels = [\"manifests\"]", "plain folder name")
    }

    func testSetOverridesReachPresets() throws {
        let c = try ConfigLoader.applying(["export.preset.walmart.min_fill=0.5", #"export.channels=["walmart"]"#], to: Config())
        XCTAssertEqual(c.export.enabled.first?.minFill, 0.5)
    }
}
