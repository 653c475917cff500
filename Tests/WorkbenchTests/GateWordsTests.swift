import PipelineCore
import XCTest
@testable import Workbench

/// Every gate `Review` makes, passed and failed, in words with its numbers. The reasons are the
/// ones ReviewPolicy, ImageGates, RetouchGate and VariantGate write.
final class GateWordsTests: XCTestCase {
    private func words(_ gate: String, _ value: Double, _ threshold: Double, _ passed: Bool, _ reason: String? = nil,
                       views: [String: Int] = [:]) -> String {
        GateWords.words(GateResult(gate: gate, value: value, threshold: threshold, passed: passed, reason: reason), views: views)
    }

    func testResolutionInPixels() {
        XCTAssertEqual(words("resolution", 2400, 1000, true), "frame 2400 px on its long side (at least 1000 px)")
        XCTAssertEqual(words("resolution", 800, 1000, false, "reshoot or re-export larger: the frame is 800 px on its long side, below review.min_long_side 1000 px"),
                       "frame 800 px on its long side; review needs 1000 px: reshoot or re-export larger")
    }

    func testChannelSizeNamesTheChannels() {
        XCTAssertEqual(words("channel-size", 0, 0, true), "product big enough for every channel without upscaling")
        let reason = "reshoot closer or at a higher resolution: the product is too small for amazon, walmart without upscaling (approve to export the other channels only)"
        XCTAssertEqual(words("channel-size", 2, 0, false, reason),
                       "product too small for amazon, walmart without upscaling: reshoot closer or at a higher resolution, or approve to export the other channels only")
        XCTAssertTrue(words("channel-size", 1, 0, false).hasPrefix("product too small for 1 channel without upscaling"))
        let measured = "reshoot closer or at a higher resolution: the product is too small for walmart without upscaling (product 1807 px long; walmart needs 1870 px; approve to export the other channels only)"
        XCTAssertEqual(words("channel-size", 1, 0, false, measured),
                       "product 1807 px long; walmart needs 1870 px: product too small for walmart without upscaling: reshoot closer or at a higher resolution, or approve to export the other channels only")
        let none = "reshoot closer or at a higher resolution: the product is too small for amazon-main without upscaling (product 900 px long; amazon-main needs 1000 px; \(GateResult.noChannelLeft))"
        XCTAssertEqual(words("channel-size", 1, 0, false, none),
                       "product 900 px long; amazon-main needs 1000 px: product too small for amazon-main without upscaling: reshoot closer or at a higher resolution; no channel can take it, so approving exports nothing")
    }

    func testFramingNamesTheEdges() {
        XCTAssertEqual(words("framing", 0, 0, true), "product clear of the frame's edges")
        XCTAssertEqual(words("framing", 2, 0, false, "reshoot: the product is cut off at the left and top edges of the frame"),
                       "product cut off at the left and top edges of the frame: reshoot")
        XCTAssertEqual(words("framing", 1, 0, false, "reshoot: the product is cut off at the bottom edge of the frame"),
                       "product cut off at the bottom edge of the frame: reshoot")
    }

    func testRetouchGivesConfidenceBesideTheFlags() {
        XCTAssertEqual(words("retouch", 0.92, 0.6, true), "cut-out confidence 0.92 (at least 0.60)")
        XCTAssertEqual(words("retouch", 0.85, 0.6, false, "check the cut-out: the backdrop shows through the product (glass, clear plastic)"),
                       "check the cut-out: the backdrop shows through the product (glass, clear plastic) (cut-out confidence 0.85, at least 0.60)")
        // The low-confidence reason already has the figures: not said twice.
        let low = "check the cut-out: the retouch stage is unsure of it (confidence 0.41, below review.min_confidence 0.60)"
        XCTAssertEqual(words("retouch", 0.41, 0.6, false, low), low)
    }

    func testSharpnessAgainstTheBatch() {
        XCTAssertEqual(words("sharpness", 0, 0, true), "sharpness not measured (no product outline)")
        XCTAssertEqual(words("sharpness", 1450, 800, true), "sharpness 1450 (at least 800)")
        let reason = "reshoot in focus: the product's outline is blurred (sharpness 3 against a median of 7.4 over the batch and the frames before it; review.sharpness_ratio 0.35). If this product is soft by nature (fur, fabric), approve it"
        XCTAssertEqual(words("sharpness", 3.1, 2.59, false, reason),
                       "sharpness 3.1, the batch's frames reach 7.4 (median; at least 2.6 needed): reshoot in focus; if the product is soft by nature (fur, fabric), approve it")
        XCTAssertEqual(words("sharpness", 310, 800, false, "reshoot in focus: the product's outline is blurred (sharpness 310, below review.min_sharpness 800)"),
                       "sharpness 310, below the floor of 800: reshoot in focus")
    }

    func testExposureAsShares() {
        XCTAssertEqual(words("exposure", 0.012, 0.08, true), "highlights clipped on 1.2% of the product (at most 8%)")
        let reason = "reshoot with less light: highlights are clipped on 12% of the product (review.max_clipped_share 8%)"
        XCTAssertEqual(words("exposure", 0.12, 0.08, false, reason), reason)
        XCTAssertEqual(words("exposure", 0.12, 0.08, false), "12% of the product clipped or crushed (at most 8%)")
    }

    func testLightingInEV() {
        XCTAssertEqual(words("lighting", 0.4, 1.5, true), "exposure corrected by 0.4 EV (at most 1.5 EV)")
        let reason = "check the lighting: exposure was corrected by +2.1 EV (review.max_correction_ev 1.5); colours may be off, reshoot if they are"
        XCTAssertEqual(words("lighting", 2.1, 1.5, false, reason), reason)
    }

    func testBackgroundAsShareOfTheBackground() {
        XCTAssertEqual(words("background", 0.0002, 0.001, true), "stray parts cover 0.02% of the background (at most 0.1%)")
        XCTAssertEqual(words("background", 0.004, 0.001, false), "stray parts cover 0.4% of the background (at most 0.1%): remove them and reshoot")
    }

    func testSkuAndViewSayWhatToDo() {
        XCTAssertEqual(words("sku", 1, 1, true), "SKU accepted")
        let sku = "unknown SKU: candidates AB-12 (name) not in the catalogue; add the SKU to the catalogue or rename the file, then `pipectl retry x`"
        XCTAssertEqual(words("sku", 0, 1, false, sku), sku)
        XCTAssertEqual(words("view", 0, 0, true), "no other frame holds this view")
        let view = "view 2 of SKU AB-12 is already held by AB-12_2-0011223344: approve it if both frames are wanted, or drop the frame again named with its right view number"
        XCTAssertEqual(words("view", 1, 0, false, view), view)
    }

    func testNearDuplicateNamesTheViewItRepeats() {
        XCTAssertEqual(words("near-duplicate", 255, 3, true), "no other frame of this SKU to compare with")
        XCTAssertEqual(words("near-duplicate", 14, 3, true), "closest frame of this SKU at distance 14 (3 or less counts as a near-duplicate)")
        let reason = "near-duplicate of AB-12_2-0011223344 (SKU AB-12, distance 2.0): keep one of the two frames"
        XCTAssertEqual(words("near-duplicate", 2, 3, false, reason, views: ["AB-12_2-0011223344": 2]),
                       "near-duplicate of view 2 (AB-12_2-0011223344) (distance 2; 3 or less counts as a near-duplicate): keep one of the two frames")
        XCTAssertEqual(words("near-duplicate", 2.5, 3, false, reason),
                       "near-duplicate of AB-12_2-0011223344 (distance 2.5; 3 or less counts as a near-duplicate): keep one of the two frames")
    }

    func testVariantFidelityGatesUseTheirReasonsOrTheirFigures() {
        let mean = "the product's mean colour moved by ΔE2000 0.45 from the photograph (at most 1.00)"
        XCTAssertEqual(words("fidelity-mean", 0.45, 1, true, mean), mean)
        XCTAssertEqual(words("fidelity-mean", 1.6, 1, false), "the product's mean colour moved by ΔE2000 1.6 from the photograph (at most 1)")
        XCTAssertEqual(words("fidelity-p95", 2.4, 2, false), "5% of the product's pixels moved by more than ΔE2000 2.4 (at most 2)")
        XCTAssertEqual(words("fidelity-share", 0.004, 0.01, true), "0.4% of the product's pixels changed colour visibly (at most 1%)")
        let share = "3.00% of the product's pixels differ by more than ΔE2000 5.00 (at most 1.00%)"
        XCTAssertEqual(words("fidelity-share", 0.03, 0.01, false, share), share)
        XCTAssertEqual(words("redrawn-colour", 3.5, 3, false), "the redrawn product's mean colour is ΔE2000 3.5 from the photograph's (at most 3)")
        XCTAssertEqual(words("redrawn-shape", 0.72, 0.8, false), "the redrawn product's shape overlaps the photograph's by 72% after aligning (at least 80%)")
    }

    func testUnknownGateShowsValueAndLimit() {
        XCTAssertEqual(words("glare", 0.4, 0.25, false), "glare: 0.4 (limit 0.25)")
        XCTAssertEqual(words("glare", 12, 10, false, "too much glare"), "glare: 12 (limit 10); too much glare")
    }

    /// No gate Review makes falls back to the generic wording, passed or failed.
    func testEveryKnownGateHasItsOwnWords() {
        let known = ["resolution", "channel-size", "framing", "retouch", "sharpness", "exposure", "lighting", "background",
                     "sku", "view", "near-duplicate", "fidelity-mean", "fidelity-p95", "fidelity-share", "redrawn-colour", "redrawn-shape"]
        for gate in known {
            for passed in [true, false] {
                let w = words(gate, 0.5, 0.25, passed)
                XCTAssertFalse(w.contains("(limit "), "\(gate) passed=\(passed): \(w)")
                XCTAssertFalse(w.hasPrefix("\(gate): "), "\(gate) passed=\(passed): \(w)")
            }
        }
    }

    func testLineKeepsGateAndPassed() {
        let line = GateWords.line(GateResult(gate: "resolution", value: 800, threshold: 1000, passed: false))
        XCTAssertEqual(line.gate, "resolution")
        XCTAssertFalse(line.passed)
        XCTAssertTrue(line.words.hasPrefix("frame 800 px"))
    }

    func testNumbersWithoutTrailingZeros() {
        XCTAssertEqual(GateWords.num(8.000000000000002), "8")
        XCTAssertEqual(GateWords.num(0.10), "0.1")
        XCTAssertEqual(GateWords.num(1234.6), "1235")
        XCTAssertEqual(GateWords.num(-0.001), "0")
        XCTAssertEqual(GateWords.percent(0.08), "8%")
        XCTAssertEqual(GateWords.percent(0.001), "0.1%")
    }
}
