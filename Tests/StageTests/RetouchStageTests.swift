import Foundation
import Imaging
import SampleShots
import PipelineCore
import Retouch
import XCTest

final class RetouchStageTests: XCTestCase {
    /// Mean colour of the product (centre) and of the backdrop (top-left corner area) in sRGB.
    func regions(_ path: String) throws -> (product: [Double], backdrop: [Double]) {
        let img = try Image.open(path).toSRGB8()
        let w = img.width, h = img.height
        let product = try img.cropped(x: w / 2 - w / 40, y: h * 55 / 100 - h / 40, width: w / 20, height: h / 20).bandMeans()
        let backdrop = try img.cropped(x: w / 10, y: h / 10, width: w / 20, height: h / 20).bandMeans()
        return (Array(product.prefix(3)), Array(backdrop.prefix(3)))
    }

    func testOrientationSixComesOutUpright() throws {
        let s = try StageScratch()
        let upright = try s.frame("upright.jpg")
        // The same scene stored sideways, with EXIF orientation 6 ("rotate 90° clockwise to view").
        s.vips(["rot", upright, "\(s.dir)/sideways.png", "d270"])
        let sideways = try Image.open("\(s.dir)/sideways.png")
        sideways.setOrientation(6)
        try sideways.saveJPEG("\(s.dir)/rotated.jpg", quality: 95, strip: false)
        XCTAssertEqual(try Image.open("\(s.dir)/rotated.jpg").orientation, 6)

        let oriented = try RetouchStage.orientedSRGB(original: "\(s.dir)/rotated.jpg", maxPixels: 1 << 30)
        XCTAssertEqual([oriented.width, oriented.height], [1200, 800])
        try oriented.saveMasterTIFF("\(s.dir)/oriented.tif")
        let got = try regions("\(s.dir)/oriented.tif"), want = try regions(upright)
        print(String(format: "measured: orientation 6 master vs upright frame ΔE76 product %.2f, backdrop %.2f",
                     Colour.deltaE76(got.product, want.product), Colour.deltaE76(got.backdrop, want.backdrop)))
        XCTAssertLessThan(Colour.deltaE76(got.product, want.product), 2, "the product is where it is in the upright frame")
        XCTAssertLessThan(Colour.deltaE76(got.backdrop, want.backdrop), 2)
    }

    func testEmbeddedDisplayP3ProfileIsHonoured() throws {
        let s = try StageScratch()
        let srgb = try s.frame()
        s.vips(["icc_transform", srgb, "\(s.dir)/p3.jpg[Q=98]", "p3"])
        try RetouchStage.orientedSRGB(original: "\(s.dir)/p3.jpg", maxPixels: 1 << 30).saveMasterTIFF("\(s.dir)/p3.tif")
        let want = try regions(srgb).product
        let got = try regions("\(s.dir)/p3.tif").product
        // Read as sRGB numbers, the P3 file's red is visibly off; through its profile it comes back.
        let rawP3 = try Image.open("\(s.dir)/p3.jpg").cropped(x: 570, y: 420, width: 60, height: 40).bandMeans()
        XCTAssertGreaterThan(Colour.deltaE76(rawP3, want), 5, "control: ignoring the profile would be visible")
        print(String(format: "measured: P3 product ΔE76 %.2f through the profile, %.2f if the profile were ignored",
                     Colour.deltaE76(got, want), Colour.deltaE76(rawP3, want)))
        XCTAssertLessThan(Colour.deltaE76(got, want), 2, "ΔE of the product after conversion")
    }

    func testCMYKIsConvertedThroughItsProfile() throws {
        let s = try StageScratch()
        let srgb = try s.frame()
        s.vips(["colourspace", srgb, "\(s.dir)/cmyk.jpg[Q=98]", "cmyk"])
        XCTAssertEqual(try Image.open("\(s.dir)/cmyk.jpg").bands, 4)
        // What a colour-managed viewer shows: the embedded profile applied by lcms.
        s.vips(["icc_transform", "\(s.dir)/cmyk.jpg", "\(s.dir)/reference.png", "srgb", "--embedded", "--intent", "relative"])
        try RetouchStage.orientedSRGB(original: "\(s.dir)/cmyk.jpg", maxPixels: 1 << 30).saveMasterTIFF("\(s.dir)/cmyk.tif")
        XCTAssertEqual(try Image.open("\(s.dir)/cmyk.tif").bands, 3)
        let got = try regions("\(s.dir)/cmyk.tif"), want = try regions("\(s.dir)/reference.png")
        XCTAssertLessThan(Colour.deltaE76(got.product, want.product), 1, "ΔE of the product against the profile conversion")
        XCTAssertLessThan(Colour.deltaE76(got.backdrop, want.backdrop), 1, "ΔE of the backdrop against the profile conversion")
        // Control: the naive formula R = 255(1−C)(1−K), which ignores the profile, is visibly wrong.
        let cmyk = try Image.open("\(s.dir)/cmyk.jpg")
        let c = try cmyk.cropped(x: 570, y: 625, width: 60, height: 40).bandMeans().map { $0 / 255 }
        let naive = [255 * (1 - c[0]) * (1 - c[3]), 255 * (1 - c[1]) * (1 - c[3]), 255 * (1 - c[2]) * (1 - c[3])]
        let viaProfile = try Image.open("\(s.dir)/reference.png").cropped(x: 570, y: 625, width: 60, height: 40).bandMeans()
        print(String(format: "measured: CMYK product ΔE76 %.2f, backdrop %.2f against lcms; naive formula %.2f",
                     Colour.deltaE76(got.product, want.product), Colour.deltaE76(got.backdrop, want.backdrop),
                     Colour.deltaE76(naive, viaProfile)))
        XCTAssertGreaterThan(Colour.deltaE76(naive, viaProfile), 5, "control: ignoring the profile would be visible")
    }

    func testMasterIsDownscaledToTheConfiguredSizeNeverUp() throws {
        let s = try StageScratch()
        let big = try s.frame("big.jpg", width: 3000, height: 2000)
        var out = try s.assetDir("down")
        // The master is the product's crop: its long side is capped, and its scale never exceeds 1.
        var master = try RetouchStage.run(original: big, assetDir: out, settings: s.settings(masterLongSide: 600))
        XCTAssertLessThanOrEqual(max(master.width, master.height), 600)
        let small = try XCTUnwrap(master.retouch?.frame)
        XCTAssertLessThan(small.scale, 1)
        out = try s.assetDir("same")
        master = try RetouchStage.run(original: big, assetDir: out, settings: s.settings(masterLongSide: 8000))
        let full = try XCTUnwrap(master.retouch?.frame)
        XCTAssertEqual(full.scale, 1, "never upscaled")
        XCTAssertEqual([master.width, master.height], [full.crop[2], full.crop[3]])
        XCTAssertGreaterThan(Double(full.productLongSide) * small.scale, Double(small.productLongSide) * 0.97)
    }

    func testPixelLimitIsCheckedBeforeDecoding() throws {
        let s = try StageScratch()
        let path = try s.frame("ok.jpg")
        let out = try s.assetDir("limit")
        XCTAssertThrowsError(try RetouchStage.run(original: path, assetDir: out, settings: s.settings(maxPixels: 500_000))) { e in
            XCTAssertEqual((e as? StepFailure)?.code, "pixel_limit")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/\(RetouchStage.masterFile)"))
    }
}

final class PerceptualHashTests: XCTestCase {
    func testNearIdenticalFramesAreCloseAndOtherShotsFar() throws {
        let s = try StageScratch()
        let a = try s.frame("a.jpg", width: 1200, height: 800)
        // The same frame re-encoded at another quality: a near-identical frame.
        try Image.open(a).saveJPEG("\(s.dir)/a2.jpg", quality: 70)
        let shots = try (0..<6).map { i -> String in
            let p = "\(s.dir)/shot\(i).jpg"
            try StudioFrame.sample(index: i, width: 1200, height: 800).write(jpeg: p)
            return p
        }
        let h = { (p: String) throws -> String in try PerceptualHash.signature(try Image.open(p)) }
        let same = try XCTUnwrap(PerceptualHash.distance(try h(a), try h("\(s.dir)/a2.jpg")))
        var others: [Double] = []
        for i in 0..<shots.count { for j in (i + 1)..<shots.count {
            others.append(try XCTUnwrap(PerceptualHash.distance(try h(shots[i]), try h(shots[j]))))
        } }
        print(String(format: "measured: signature distance re-encoded frame %.2f levels; between the 6 sample shots min %.2f max %.2f",
                     same, others.min()!, others.max()!))
        XCTAssertLessThanOrEqual(same, 1.5)
        XCTAssertGreaterThan(others.min()!, 4)
        XCTAssertNil(PerceptualHash.distance("zz", "00"))
    }
}
