import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// The generate stage in the real daemon: a rule gives the kitchen SKU's packshot two lifestyle
/// variants from plates; every packshot exports without waiting for them; the variants wait for
/// a person (a batch approval leaves them), then export to the channels that take variants, in
/// the slots after the packshots, never as Amazon's main image.
final class GenerateStageTests: XCTestCase {
    static let plates = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/plates").standardized.path

    func testVariantsFromPlatesWaitForAPersonThenExportAfterThePackshots() throws {
        let base = NSTemporaryDirectory() + "pp-gen-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let catalogPath = "\(base)/catalog.csv"
        try """
        sku,asin,handle,category
        SKU-7101,B0MUG00001,mug,Kitchen
        SKU-7102,B0POT00001,pot,Garden

        """.write(toFile: catalogPath, atomically: true, encoding: .utf8)
        let channels = ["amazon-main", "amazon-alt", "shopify"]
        let sizes = channels.map { "[export.preset.\($0)]\nwidth = 300\nheight = 300\n" }.joined()
        let daemon = try Daemon(config: """
        [ingest]
        catalog = "\(catalogPath)"
        [export]
        channels = ["amazon-main", "amazon-alt", "shopify"]
        \(sizes)
        [generate]
        plates = "\(Self.plates)"
        channels = ["amazon-alt", "shopify"]
        [generate.rule.kitchen]
        catalog_field = "category"
        catalog_values = ["kitchen"]
        variants = 2
        """)
        defer { daemon.cleanUp() }
        try daemon.start()

        let src = try Fixtures.shots(count: 4, firstSku: 7101)   // SKU-7101_01..03, SKU-7102_01
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(daemon.inbox)/mug-shoot/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .export).count == 4 }, "every packshot exports\n" + daemon.log)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .review).count == 2 }, "two variants wait for a person\n" + daemon.log)

        let variants = try daemon.assets(in: .review).map { try daemon.manifest($0, in: .review) }
        let packshot = try XCTUnwrap(try daemon.assets(in: .export).map { try daemon.manifest($0, in: .export) }
            .first { $0.sku == "SKU-7101" && $0.view == 1 })
        for v in variants {
            XCTAssertEqual(v.variantOf, packshot.id)
            XCTAssertEqual(v.review?.status, .generated, v.review?.reason ?? "")
            let g = try XCTUnwrap(v.generated)
            XCTAssertEqual(g.generator, "scene")
            XCTAssertEqual(g.rule, "kitchen")
            XCTAssertLessThanOrEqual(g.fidelity.meanDeltaE, 1.0, "the product's pixels are the photograph's")
            XCTAssertGreaterThan(g.fidelity.pixels, 100)
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(daemon.root)/review/\(v.id)/scene.jpg"))
        }
        XCTAssertEqual(Set(variants.compactMap { $0.generated?.scene }).count, 2, "two variants, two plates")
        XCTAssertEqual(Set(variants.compactMap(\.view)), [4, 5], "after the SKU's three packshots")
        XCTAssertTrue(daemon.exported(channel: "amazon-alt").allSatisfy { !$0.contains("PT03") && !$0.contains("PT04") },
                      "nothing exported for a variant before a person approves it")
        let listed = daemon.pipectl(["review", "mug-shoot"])
        XCTAssertTrue(listed.out.contains("variant of \(packshot.id)"), listed.out + listed.err)

        let retry = daemon.pipectl(["retry", variants[0].id])
        XCTAssertNotEqual(retry.status, 0)
        XCTAssertTrue(retry.err.contains("generated variant of \(packshot.id)"), retry.err)

        // Approving the batch leaves the variants; --variants takes them.
        let batch = daemon.pipectl(["approve", "mug-shoot"])
        XCTAssertTrue(batch.out.contains("2 generated variants left waiting"), batch.out + batch.err)
        XCTAssertEqual(daemon.assets(in: .review).count, 2)
        let withVariants = daemon.pipectl(["approve", "mug-shoot", "--variants"])
        XCTAssertEqual(withVariants.status, 0, withVariants.err)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .export).count == 6 }, daemon.log)
        XCTAssertEqual(daemon.exported(channel: "amazon-main"), ["B0MUG00001.MAIN.jpg", "B0POT00001.MAIN.jpg"],
                       "Amazon's main image is always the photograph")
        XCTAssertEqual(daemon.exported(channel: "amazon-alt"),
                       ["B0MUG00001.PT01.jpg", "B0MUG00001.PT02.jpg", "B0MUG00001.PT03.jpg", "B0MUG00001.PT04.jpg"])
        XCTAssertEqual(daemon.exported(channel: "shopify"), ["mug-1.jpg", "mug-2.jpg", "mug-3.jpg", "mug-4.jpg", "mug-5.jpg", "pot-1.jpg"])
        for v in variants {
            let m = try daemon.manifest(v.id, in: .export)
            XCTAssertEqual(Set(m.outputs.map(\.channel)), ["amazon-alt", "shopify"])
            XCTAssertTrue(m.outputs.allSatisfy { $0.width == 300 && $0.height == 300 })
        }
    }
}
