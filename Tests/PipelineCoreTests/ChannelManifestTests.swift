import PipelineCore
import XCTest

final class ChannelManifestTests: XCTestCase {
    func entry(_ asset: String, sku: String, view: Int, handle: String? = nil, alt: String? = nil) -> ChannelManifest.Entry {
        ChannelManifest.Entry(asset: asset, sku: sku, view: view, file: "\(sku)-\(view).jpg", path: "export/shopify/\(sku)-\(view).jpg",
                              bytes: 10, sha256: String(repeating: "a", count: 64), width: 2048, height: 2048, handle: handle, alt: alt)
    }

    func testReplaceKeepsOtherAssetsAndSorts() {
        var m = ChannelManifest(channel: "shopify", batch: "b")
        m.replace(["x2": [entry("x2", sku: "B", view: 1)], "x1": [entry("x1", sku: "A", view: 2)]])
        m.replace(["x3": [entry("x3", sku: "A", view: 1)]])
        XCTAssertEqual(m.files.map(\.asset), ["x3", "x1", "x2"])
        m.replace(["x1": []])
        XCTAssertEqual(m.files.map(\.asset), ["x3", "x2"], "an empty list removes the asset")
    }

    func testShopifyCSVRowsPositionsAndVariantImages() throws {
        let m = ChannelManifest(channel: "shopify", batch: "b", files: [
            entry("a1", sku: "SHIRT-RED", view: 1, handle: "shirt", alt: "Red shirt"),
            entry("a2", sku: "SHIRT-RED", view: 2, handle: "shirt", alt: "Red shirt, back"),
            entry("a3", sku: "SHIRT-BLUE", view: 1, handle: "shirt", alt: "Blue shirt"),
            entry("a4", sku: "MUG", view: 1, handle: "mug", alt: "Mug"),
        ])
        let csv = ShopifyCSV.render(m, baseURL: "https://cdn.example.com/p")
        let rows = try CSV.parse(csv).map(\.1)
        XCTAssertEqual(rows[0], ShopifyCSV.header)
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(rows[1], ["mug", "https://cdn.example.com/p/shopify/MUG-1.jpg", "1", "Mug", "", ""], "one SKU: no variant image")
        let shirt = rows.filter { $0[0] == "shirt" }
        XCTAssertEqual(shirt.map { $0[2] }, ["1", "2", "3"])
        XCTAssertEqual(shirt.filter { !$0[5].isEmpty }.map { $0[4] }.sorted(), ["SHIRT-BLUE", "SHIRT-RED"], "each variant's first view")
    }

    func testHostileAltTextCannotBreakTheCSV() throws {
        let alt = ShopifyCSV.altText(sku: "S", view: 1, catalog: ["alt_text": "=HYPERLINK(\"http://x\")\nsecond line, \"quoted\""])
        XCTAssertFalse(alt.contains("\n"))
        let m = ChannelManifest(channel: "shopify", batch: "b", files: [entry("a", sku: "S", view: 1, handle: "s", alt: alt)])
        let rows = try CSV.parse(ShopifyCSV.render(m, baseURL: "")).map(\.1)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[1].count, ShopifyCSV.header.count)
        XCTAssertTrue(rows[1][3].hasPrefix("'="), "a formula is defused: \(rows[1][3])")
        XCTAssertEqual(rows[1][1], "S-1.jpg", "no base URL: the bare file name")
    }

    func testAGeneratedVariantsAltTextSaysWhatItIs() {
        func manifest(_ id: String, view: Int, generated: GeneratedRecord? = nil) -> Manifest {
            var m = Manifest(id: id, batch: "b", sourceName: "MUG-1_1.jpg", original: "originals/b/MUG-1_1.jpg", sha256: "", bytes: 0,
                             sku: "MUG-1", view: view, skuSource: "file", arrivedAt: Date(timeIntervalSince1970: 0))
            m.catalog = ["title": "Enamel mug", "alt_text": "Enamel mug, front, on white"]
            m.generated = generated
            m.outputs = [OutputRecord(channel: "shopify", path: "export/shopify/\(id).jpg", bytes: 1, width: 10, height: 10, sha256: "")]
            return m
        }
        func record(_ generator: String, scene: String?, kept: Bool? = nil) -> GeneratedRecord {
            var g = GeneratedRecord(generator: generator, scene: scene, prompt: nil, seed: 1,
                                    placement: VariantPlacement(scale: 1, offsetX: 0, offsetY: 0, outputWidth: 10, outputHeight: 10, plateScale: 1,
                                                                contact: [5, 9], rule: "height_share", limitedByMaster: false),
                                    adjustment: .identity,
                                    fidelity: FidelityFigures(meanDeltaE: 0, p95DeltaE: 0, maxDeltaE: 0, shareOver: 0, threshold: 3, pixels: 1, erodedBy: 3),
                                    timings: [:], file: "scene.jpg")
            g.keptProduct = kept
            return g
        }
        let alts = [
            manifest("packshot", view: 1),
            manifest("plate", view: 4, generated: record("scene", scene: "oak-table")),
            manifest("prompt", view: 5, generated: record("comfyui", scene: "a marble kitchen counter", kept: true)),
            manifest("model", view: 6, generated: record("command", scene: nil, kept: false)),
        ].map { ChannelManifest.entries(for: $0, channel: "shopify").first?.alt }
        XCTAssertEqual(alts, ["Enamel mug, front, on white", "Enamel mug in a lifestyle scene: oak table",
                              "Enamel mug in a lifestyle scene: a marble kitchen counter", "Enamel mug on a model"])
    }
}
