import PipelineCore
import Review
import XCTest

final class GenerateSettingsTests: XCTestCase {
    func testRulesAreReadWithTheirFieldsAndMistakesNameTheLine() throws {
        let c = try ConfigLoader.parse("""
        [export]
        channels = ["shopify", "amazon-alt", "amazon-main"]
        [generate]
        plates = "/srv/plates"
        channels = ["shopify", "amazon-alt"]
        [generate.rule.kitchen]
        scenes = ["oak-table", "shelf"]
        variants = 2
        catalog_field = "category"
        catalog_values = ["Kitchen"]
        """)
        let r = try XCTUnwrap(c.generate.rules["kitchen"])
        XCTAssertEqual(r.scenes, ["oak-table", "shelf"])
        XCTAssertEqual(r.variants, 2)
        XCTAssertEqual(c.generate.plates, "/srv/plates")
        XCTAssertEqual(c.generate.variantPresets(c.export.enabled).map(\.name), ["shopify", "amazon-alt"],
                       "amazon-main is never given a variant")

        XCTAssertThrowsError(try ConfigLoader.parse("[generate.rule.x]\nvariants = 0\n")) {
            XCTAssertTrue("\($0)".contains("line 2"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse("[generate.rule.x]\nvariants = 1\n")) {
            XCTAssertTrue("\($0)".contains("generate.plates"), "a rule without plates says what is missing: \($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse("[generate]\nchannels = [\"amazon-main\"]\n")) {
            XCTAssertTrue("\($0)".contains("only the main image"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse("[generate]\nchannels = [\"shopfy\"]\n")) {
            XCTAssertTrue("\($0)".contains("not an export preset"), "\($0)")
        }
    }

    func testARuleMatchesOnCatalogueTagsSkuAndBatchPatternsAndTheFirstView() {
        var r = GenerateSettings.Rule(name: "r")
        r.catalogField = "tags"
        r.catalogValues = ["Lifestyle"]
        XCTAssertTrue(r.matches(sku: "MUG-1", batch: "b", view: 1, catalog: ["tags": "kitchen; lifestyle, gift"]))
        XCTAssertFalse(r.matches(sku: "MUG-1", batch: "b", view: 1, catalog: ["tags": "kitchen"]))
        XCTAssertFalse(r.matches(sku: "MUG-1", batch: "b", view: 1, catalog: nil), "no catalogue row, no match")
        XCTAssertFalse(r.matches(sku: "MUG-1", batch: "b", view: 2, catalog: ["tags": "lifestyle"]), "only the packshot by default")
        r.firstViewOnly = false
        XCTAssertTrue(r.matches(sku: "MUG-1", batch: "b", view: 2, catalog: ["tags": "lifestyle"]))

        var p = GenerateSettings.Rule(name: "p")
        p.skuPattern = "MUG-*"
        p.batchPattern = "2026-??-*"
        XCTAssertTrue(p.matches(sku: "MUG-12", batch: "2026-11-shoot", view: nil, catalog: nil))
        XCTAssertFalse(p.matches(sku: "CUP-12", batch: "2026-11-shoot", view: nil, catalog: nil))
        XCTAssertFalse(p.matches(sku: "MUG-12", batch: "2026-1-shoot", view: nil, catalog: nil))
    }

    func testAScenesCutKeepsTheProductCentredAndNeverUpscales() throws {
        var square = ChannelPreset(name: "sq", width: 1000, height: 1000, fill: 0.85, quality: 90, maxBytes: 1 << 20, nameTemplate: "{sku}.{ext}")
        // A 3:2 scene with the product right of centre: the square cut is as tall as the scene, around the product.
        var plan = try ScenePlan.make(sceneWidth: 3000, sceneHeight: 2000, focus: (2000, 1200), preset: square)
        XCTAssertEqual(plan.crop, [1000, 0, 2000, 2000])
        XCTAssertEqual(plan.scale, 0.5, accuracy: 1e-9)
        // Near the edge the cut stops at the scene's border.
        plan = try ScenePlan.make(sceneWidth: 3000, sceneHeight: 2000, focus: (2900, 1000), preset: square)
        XCTAssertEqual(plan.crop, [1000, 0, 2000, 2000])
        square.width = 2500; square.height = 2500
        XCTAssertThrowsError(try ScenePlan.make(sceneWidth: 3000, sceneHeight: 2000, focus: (1500, 1000), preset: square))
        let portrait = ChannelPreset(name: "p", width: 1080, height: 1350, fill: 0.8, quality: 85, maxBytes: 1 << 20, nameTemplate: "{sku}.{ext}")
        let long = ScenePlan.longSideNeeded(plateWidth: 3000, plateHeight: 2000, presets: [square, portrait])
        XCTAssertEqual(long, 3750, "a 2500 px square from a 3:2 scene needs it 3750 px long")
        XCTAssertNoThrow(try ScenePlan.make(sceneWidth: long, sceneHeight: long * 2 / 3, focus: (1, 1), preset: portrait))
    }

    func testAVariantAlwaysWaitsAndOneThatChangedTheProductIsAnException() {
        func record(mean: Double, p95: Double, share: Double) -> GeneratedRecord {
            GeneratedRecord(generator: "scene", scene: "oak", prompt: nil, seed: 1,
                            placement: VariantPlacement(scale: 0.5, offsetX: 0, offsetY: 0, outputWidth: 10, outputHeight: 10, plateScale: 1,
                                                        contact: [5, 9], rule: "height_share", limitedByMaster: false),
                            adjustment: .identity,
                            fidelity: FidelityFigures(meanDeltaE: mean, p95DeltaE: p95, maxDeltaE: p95 * 2, shareOver: share, threshold: 3,
                                                      pixels: 1000, erodedBy: 3),
                            timings: [:], file: "scene.jpg")
        }
        let clean = VariantGate.review(record(mean: 0.4, p95: 0.9, share: 0), source: "MUG-1_1-abc")
        XCTAssertEqual(clean.status, .generated)
        XCTAssertTrue(clean.reason?.contains("variant of MUG-1_1-abc") == true)
        let altered = VariantGate.review(record(mean: 6.1, p95: 14, share: 0.4), source: "MUG-1_1-abc")
        XCTAssertEqual(altered.status, .exception)
        XCTAssertEqual(altered.gates.filter { !$0.passed }.map(\.gate), ["fidelity-mean", "fidelity-p95", "fidelity-share"])
        XCTAssertTrue(altered.reason?.contains("ΔE2000 6.10") == true, altered.reason ?? "")
    }

    func testARedrawnRuleCarriesItsOwnFidelityLimitsToTheGate() throws {
        let script = NSTemporaryDirectory() + "pp-tryon-\(UUID().uuidString.prefix(8)).sh"
        try Data("#!/bin/sh\ncp input.png output.png\n".utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let rule = { (extra: String) in "[generate.rule.tryon]\ngenerator = \"command\"\ncommand = \"\(script)\"\n\(extra)" }
        let c = try ConfigLoader.parse(rule("keep_product = false\nredrawn_max_delta_e = 4.5\nredrawn_min_shape_iou = 0.7\n"))
        let tryon = try XCTUnwrap(c.generate.rules["tryon"])
        XCTAssertEqual(tryon.redrawnMaxDeltaE, 4.5)
        XCTAssertEqual(tryon.redrawnMinShapeIoU, 0.7)
        XCTAssertEqual(VariantGate.Limits(rule: GenerateSettings.Rule(name: "plain")), VariantGate.Limits(), "no limits set: the defaults")

        XCTAssertThrowsError(try ConfigLoader.parse(rule("keep_product = false\nredrawn_min_shape_iou = 80\n"))) {
            XCTAssertTrue("\($0)".contains("redrawn_min_shape_iou") && "\($0)".contains("line 5") && "\($0)".contains("between 0.1 and 0.99"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse(rule("redrawn_max_delta_e = 4\n"))) {
            XCTAssertTrue("\($0)".contains("only apply to a product an external generator redraws"), "a kept product is never redrawn: \($0)")
        }

        var record = GeneratedRecord(generator: "command", scene: nil, prompt: "worn", seed: 1,
                                     placement: VariantPlacement(scale: 1, offsetX: 0, offsetY: 0, outputWidth: 10, outputHeight: 10, plateScale: 1,
                                                                 contact: [5, 9], rule: "centred", limitedByMaster: false),
                                     adjustment: .identity,
                                     fidelity: FidelityFigures(meanDeltaE: 9, p95DeltaE: 20, maxDeltaE: 40, shareOver: 0.5, threshold: 3, pixels: 100, erodedBy: 3),
                                     timings: [:], file: "scene.jpg")
        record.rule = "tryon"
        record.redrawn = RedrawnFigures(meanDeltaE: 4.1, shapeIoU: 0.74, shift: [0, 0], mask: "palette")
        let byDefault = VariantGate.review(record, source: "TEE-1_1-abc")
        XCTAssertEqual(byDefault.gates.filter { !$0.passed }.map(\.gate), ["redrawn-colour", "redrawn-shape"])
        let byRule = VariantGate.review(record, source: "TEE-1_1-abc", limits: .init(rule: tryon))
        XCTAssertEqual(byRule.status, .generated, byRule.reason ?? "")
        XCTAssertEqual(byRule.gates.map(\.threshold), [4.5, 0.7])
    }
}
