import Foundation
import PipelineCore
import Review
import XCTest

final class ReviewPolicyTests: XCTestCase {
    func manifest(long: Int) -> Manifest {
        var m = Manifest(id: "a", batch: "b", sourceName: "a.jpg", original: "o", sha256: "0", bytes: 1, sku: "a",
                         view: 1, skuSource: "name-pattern", arrivedAt: Date())
        m.master = MasterInfo(file: "master.tif", width: long, height: long * 2 / 3)
        return m
    }

    func testPassingAssetIsAutoApproved() {
        let d = ReviewPolicy(hold: false, minLongSide: 1000).decide(manifest(long: 3000))
        XCTAssertEqual(d.destination, .approved)
        XCTAssertEqual(d.record.status, .autoApproved)
        XCTAssertEqual(d.record.gates, [GateResult(gate: "resolution", value: 3000, threshold: 1000, passed: true),
                                        GateResult(gate: "channel-size", value: 0, threshold: 0, passed: true),
                                        GateResult(gate: "framing", value: 0, threshold: 0, passed: true),
                                        GateResult(gate: "retouch", value: 1, threshold: 0.6, passed: true),
                                        GateResult(gate: "sharpness", value: 0, threshold: 0, passed: true),
                                        GateResult(gate: "exposure", value: 0, threshold: 0.08, passed: true),
                                        GateResult(gate: "lighting", value: 0, threshold: 1.5, passed: true),
                                        GateResult(gate: "background", value: 0, threshold: 0.001, passed: true),
                                        GateResult(gate: "sku", value: 1, threshold: 1, passed: true),
                                        GateResult(gate: "view", value: 0, threshold: 0, passed: true),
                                        GateResult(gate: "near-duplicate", value: 255, threshold: 3, passed: true)])
    }

    func testSmallMasterIsAnExceptionWithAReason() {
        let d = ReviewPolicy(hold: false, minLongSide: 1000).decide(manifest(long: 800))
        XCTAssertEqual(d.destination, .review)
        XCTAssertEqual(d.record.status, .exception)
        XCTAssertTrue(d.record.reason?.contains("800 px") ?? false)
    }

    func testNearDuplicateOfTheSameSkuIsAnException() {
        let policy = ReviewPolicy(hold: false, minLongSide: 1000)
        let close = policy.decide(manifest(long: 3000), nearest: .init(id: "a-other", distance: 0.5))
        XCTAssertEqual(close.record.status, .exception)
        XCTAssertTrue(close.record.reason?.contains("near-duplicate of a-other") ?? false)
        XCTAssertEqual(policy.decide(manifest(long: 3000), nearest: .init(id: "a-other", distance: 9)).record.status, .autoApproved)
        let off = ReviewPolicy(hold: false, minLongSide: 1000, nearDuplicateDistance: 0)
        XCTAssertEqual(off.decide(manifest(long: 3000), nearest: .init(id: "a-other", distance: 0)).record.status, .autoApproved)
    }

    func testViewClashIsAnException() {
        var m = manifest(long: 3000)
        m.viewClashWith = "SKU-1_01-aaaa"
        let d = ReviewPolicy(hold: false, minLongSide: 1000).decide(m)
        XCTAssertEqual(d.record.status, .exception)
        XCTAssertTrue(d.record.reason?.contains("already held by SKU-1_01-aaaa") ?? false, d.record.reason ?? "")
    }

    func testHoldKeepsEverythingForAPerson() {
        let d = ReviewPolicy(hold: true, minLongSide: 1000).decide(manifest(long: 3000))
        XCTAssertEqual(d.destination, .review)
        XCTAssertEqual(d.record.status, .held)
    }

    func testMissingMasterFailsTheGate() {
        var m = manifest(long: 3000)
        m.master = nil
        XCTAssertEqual(ReviewPolicy(hold: false, minLongSide: 1).decide(m).record.status, .exception)
    }
}

final class SkuGateTests: XCTestCase {
    func testUnknownSkuAgainstACatalogueIsAnExceptionWithTheCandidates() {
        var m = Manifest(id: "a", batch: "b", sourceName: "NOPE-9_01.jpg", original: "o", sha256: "0", bytes: 1, sku: "NOPE-9",
                         view: 1, skuSource: "unresolved", arrivedAt: Date())
        m.master = MasterInfo(file: "master.tif", width: 3000, height: 2000)
        var r = SkuResolution()
        r.checkedAgainstCatalog = true
        r.candidates = [.init(source: "name", value: "NOPE-9")]
        m.skuResolution = r
        let d = ReviewPolicy(hold: false, minLongSide: 1000).decide(m)
        XCTAssertEqual(d.record.status, .exception)
        XCTAssertTrue(d.record.reason?.contains("unknown SKU: candidates NOPE-9 (name)") ?? false, d.record.reason ?? "")
        r.sku = "NOPE-9"
        m.skuResolution = r
        XCTAssertEqual(ReviewPolicy(hold: false, minLongSide: 1000).decide(m).record.status, .autoApproved)
    }

    func retouched(confidence: Double, flags: [String]) -> Manifest {
        var m = Manifest(id: "a", batch: "b", sourceName: "a.jpg", original: "o", sha256: "0", bytes: 1, sku: "a",
                         view: 1, skuSource: "name-pattern", arrivedAt: Date())
        m.master = MasterInfo(file: "master.tif", width: 3000, height: 2000)
        m.master?.retouch = RetouchRecord(
            confidence: confidence, flags: flags,
            backdrop: .init(colour: [240, 240, 238], cast: [0, 1], fitResidual: 0.01, coverage: 0.8, coloured: false, corrected: [255, 255, 255]),
            correction: .init(gains: [1.1, 1.1, 1.1], exposureEV: 0.14, clippedShare: 0),
            frame: .init(crop: [0, 0, 3000, 2000], scale: 1, productBox: [100, 100, 800, 1200], centroid: [500, 700], margins: [0, 300, 900, 200],
                         touches: flags.filter { $0.hasPrefix("touches_") }.map { String($0.dropFirst(8)) }),
            matte: .init(edgeContrast: 40, lowContrastShare: 0, productShare: 0.2, seeThroughShare: 0, highlightShare: 0),
            shadow: "synthesise", maskFile: "mask.png", timings: [:])
        return m
    }

    func testRetouchFlagsGoToAPersonWithWhatToDo() {
        let policy = ReviewPolicy(hold: false, minLongSide: 1000)
        let cut = policy.decide(retouched(confidence: 0.5, flags: ["touches_left", "low_contrast"]))
        XCTAssertEqual(cut.destination, .review)
        let gate = cut.record.gates.first { $0.gate == "retouch" }
        XCTAssertEqual(gate?.passed, false)
        XCTAssertTrue(gate?.reason?.contains("white on white") ?? false, gate?.reason ?? "")
        XCTAssertEqual(cut.record.gates.first { $0.gate == "framing" }?.passed, false, "the cut-off is the framing gate's")
        XCTAssertTrue(cut.record.reason?.contains("reshoot: the product is cut off at the left edge") ?? false, cut.record.reason ?? "")
        XCTAssertTrue(cut.record.reason?.contains("white on white") ?? false, "the reason names every failed gate")

        let unsure = policy.decide(retouched(confidence: 0.45, flags: []))
        XCTAssertEqual(unsure.destination, .review)
        XCTAssertTrue(unsure.record.reason?.contains("confidence 0.45") ?? false, unsure.record.reason ?? "")

        XCTAssertEqual(policy.decide(retouched(confidence: 0.9, flags: [])).destination, .approved)
        XCTAssertEqual(ReviewPolicy(hold: false, minLongSide: 1000, minConfidence: 0.95).decide(retouched(confidence: 0.9, flags: [])).destination, .review)
    }
}

final class SamplerTests: XCTestCase {
    func run(_ sampler: Sampler, count: Int, skuViews: Int = 1) -> [Bool] {
        var tally = Sampler.Tally()
        return (0..<count).map { i in
            let sha = String(format: "%064x", i * 2_654_435_761)
            let confidence = i % 10 == 0 ? 0.3 : 1.0
            return sampler.holds(sha256: sha, confidence: confidence, sku: "S\(i / skuViews)", skuHasSeveralViews: skuViews > 1, tally: &tally)
        }
    }

    func testSampleKeepsToTheRateFromTheFirstAssetOn() {
        let s = Sampler(rate: 0.12, seed: "studio")
        let held = run(s, count: 500)
        XCTAssertTrue(held[0], "every batch is represented: its first passing asset is held")
        for n in 1...500 {
            let k = held.prefix(n).filter { $0 }.count
            XCTAssertLessThanOrEqual(k, Int((0.12 * Double(n)).rounded(.up)), "never above the rate, at \(n)")
            XCTAssertGreaterThanOrEqual(k, Int((0.12 * Double(n)).rounded(.up)) - 1, "never more than one behind, at \(n)")
        }
        XCTAssertTrue((59...60).contains(held.filter { $0 }.count), "12% of 500")
    }

    func testSameSeedSameSampleOtherSeedOtherSample() {
        let a = run(Sampler(rate: 0.12, seed: "studio"), count: 300)
        XCTAssertEqual(a, run(Sampler(rate: 0.12, seed: "studio"), count: 300))
        XCTAssertNotEqual(a, run(Sampler(rate: 0.12, seed: "other"), count: 300))
    }

    func testUnsureCutOutsAreHeldMoreOften() {
        let held = run(Sampler(rate: 0.12, seed: "studio"), count: 2000)
        let unsure = held.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        let sure = held.enumerated().filter { $0.offset % 10 != 0 }.map(\.element)
        let rateUnsure = Double(unsure.filter { $0 }.count) / Double(unsure.count)
        let rateSure = Double(sure.filter { $0 }.count) / Double(sure.count)
        XCTAssertGreaterThan(rateUnsure, rateSure * 1.3, "confidence 0.3: \(rateUnsure), 1.0: \(rateSure)")
    }

    func testRateZeroHoldsNothingAndOneHoldsEverything() {
        XCTAssertFalse(run(Sampler(rate: 0, seed: "x"), count: 50).contains(true))
        XCTAssertFalse(run(Sampler(rate: 1, seed: "x"), count: 50).contains(false))
    }

    func testPolicySendsASampledAssetToReviewWithTheCommandToApprove() {
        var policy = ReviewPolicy(hold: false, minLongSide: 1000)
        policy.sampler = Sampler(rate: 0.5, seed: "x")
        var tally = Sampler.Tally()
        var m = Manifest(id: "a", batch: "shoot-7", sourceName: "a.jpg", original: "o", sha256: "00", bytes: 1, sku: "a",
                         view: 1, skuSource: "name", arrivedAt: Date())
        m.master = MasterInfo(file: "master.tif", width: 3000, height: 2000)
        let d = policy.decide(m, nearest: nil, tally: &tally, skuHasSeveralViews: false)
        XCTAssertEqual(d.destination, .review)
        XCTAssertEqual(d.record.status, .sampled)
        XCTAssertEqual(d.record.sampled, true)
        XCTAssertTrue(d.record.reason?.contains("pipectl approve shoot-7") ?? false)
    }
}

final class ImageGateTests: XCTestCase {
    func manifest(clipped: Double = 0, ev: Double = 0.3, cast: [Double] = [0, 2], coloured: Bool = false,
                  master: Int = 3000, product: Int = 2400, sharpness: Double = 12000, crushed: Double = 0, stray: Double = 0,
                  touches: [String] = []) -> Manifest {
        var m = Manifest(id: "a", batch: "b", sourceName: "a.jpg", original: "o", sha256: "0", bytes: 1, sku: "a",
                         view: 1, skuSource: "name", arrivedAt: Date())
        var record = RetouchRecord(confidence: 1, flags: touches.map { "touches_\($0)" },
                                   backdrop: .init(colour: [240, 240, 240], cast: cast, fitResidual: 0, coverage: 0.5, coloured: coloured, corrected: [255, 255, 255]),
                                   correction: .init(gains: [1, 1, 1], exposureEV: ev, clippedShare: clipped),
                                   frame: .init(crop: [0, 0, master, master], scale: 1, productBox: [100, 100, product / 2, product],
                                                centroid: [0, 0], margins: [0, 0, 0, 0], touches: touches),
                                   matte: .init(edgeContrast: 40, lowContrastShare: 0, productShare: 0.3, seeThroughShare: 0, highlightShare: 0),
                                   shadow: "synthesise", maskFile: "mask.png", timings: [:])
        record.quality = .init(sharpness: sharpness, crushedShare: crushed, strayShare: stray)
        m.master = MasterInfo(file: "master.tif", width: master, height: master, retouch: record)
        m.source = SourceInfo(loader: "jpegload", width: master, height: master * 2 / 3, bands: 3, orientation: 1, hasICCProfile: false)
        return m
    }

    var policy: ReviewPolicy {
        var c = Config()
        c.export.channels = ["default", "amazon-main"]
        return ReviewPolicy(c)
    }

    func testACleanFramePassesEveryNewGate() {
        let gates = policy.gates(manifest())
        XCTAssertTrue(gates.allSatisfy(\.passed), "\(gates)")
        XCTAssertEqual(Set(gates.map(\.gate)), ["resolution", "channel-size", "framing", "retouch", "sharpness", "exposure",
                                                "lighting", "background", "sku", "view", "near-duplicate"])
    }

    func testABlurredFrameFailsAgainstTheFloorAloneAndAgainstItsBatchOnceThereIsOne() {
        let p = policy
        XCTAssertFalse(p.sharpnessGate(manifest(sharpness: 500), batch: []).passed, "below review.min_sharpness 800")
        XCTAssertTrue(p.sharpnessGate(manifest(sharpness: 1600), batch: []).passed, "no batch yet: the floor alone")
        XCTAssertTrue(p.sharpnessGate(manifest(sharpness: 1600), batch: [13000, 14000, 15000, 12000]).passed, "four frames are not yet a batch")
        let g = p.sharpnessGate(manifest(sharpness: 1600), batch: [13000, 14000, 15000, 12000, 16000])
        XCTAssertFalse(g.passed)
        XCTAssertEqual(g.threshold, 0.35 * 14000, accuracy: 1e-9)
        XCTAssertTrue(g.reason?.contains("reshoot in focus") ?? false, g.reason ?? "")
        XCTAssertTrue(g.reason?.contains("median of 14000") ?? false, g.reason ?? "")
        XCTAssertTrue(p.sharpnessGate(manifest(sharpness: 9000), batch: [13000, 14000, 15000, 12000, 16000]).passed)
        XCTAssertTrue(p.sharpnessGate(manifest(sharpness: 1), batch: []).reason?.contains("review.min_sharpness") ?? false)
    }

    func testTheBatchSharpnessIsCollectedAsAssetsAreDecided() {
        var tally = Sampler.Tally()
        var p = policy
        p.sampler = Sampler(rate: 0, seed: "s")
        for s in [13000.0, 14000, 15000, 12000, 16000] { _ = p.decide(manifest(sharpness: s), nearest: nil, tally: &tally, skuHasSeveralViews: false) }
        XCTAssertEqual(tally.sharpness.like(manifest()).count, 5)
        let d = p.decide(manifest(sharpness: 3000), nearest: nil, tally: &tally, skuHasSeveralViews: false)
        XCTAssertEqual(d.record.status, .exception, "3000 is above the floor but far below the batch")
        var fresh = Sampler.Tally()
        let early = p.decide(manifest(sharpness: 3000), nearest: nil, tally: &fresh, skuHasSeveralViews: false, recentSharpness: tally.sharpness)
        XCTAssertEqual(early.record.status, .exception, "a batch's first frame is judged against the studio's recent frames")
        var other = manifest(sharpness: 3000)
        other.source?.width = 1200; other.source?.height = 800
        var fresh2 = Sampler.Tally()
        let otherSize = p.decide(other, nearest: nil, tally: &fresh2, skuHasSeveralViews: false, recentSharpness: tally.sharpness)
        XCTAssertEqual(otherSize.record.status, .autoApproved, "frames of another size are no reference")
    }

    func testCrushedShadowsAndStrayPartsAndACutOffProductAreExceptions() {
        let crushed = policy.exposureGate(manifest(crushed: 0.3))
        XCTAssertFalse(crushed.passed)
        XCTAssertTrue(crushed.reason?.contains("crushed to black on 30%") ?? false, crushed.reason ?? "")
        XCTAssertTrue(policy.exposureGate(manifest(crushed: 0.01)).passed)
        let stray = policy.backgroundGate(manifest(stray: 0.0106))
        XCTAssertFalse(stray.passed)
        XCTAssertTrue(stray.reason?.contains("covers 1.06%") ?? false, stray.reason ?? "")
        XCTAssertTrue(policy.backgroundGate(manifest(stray: 0)).passed)
        let d = policy.decide(manifest(touches: ["left", "bottom"]))
        XCTAssertEqual(d.record.status, .exception)
        XCTAssertEqual(d.record.gates.filter { !$0.passed }.map(\.gate), ["framing"], "the cut-off is framing's, not the retouch gate's")
        XCTAssertTrue(d.record.reason?.contains("cut off at the left and bottom edges") ?? false, d.record.reason ?? "")
    }

    func testAnExceptionNamesEveryFailedGate() {
        let d = policy.decide(manifest(clipped: 0.5, stray: 0.01))
        XCTAssertTrue(d.record.reason?.contains("clipped") ?? false)
        XCTAssertTrue(d.record.reason?.contains("check the background") ?? false, d.record.reason ?? "")
    }

    func testAFrameWithNoProductIsNotCalledBlurred() {
        var m = manifest(sharpness: 0)
        m.master?.retouch?.flags = ["no_product"]
        XCTAssertTrue(policy.sharpnessGate(m, batch: []).passed, "the retouch gate reports it; there is no outline to judge")
        XCTAssertFalse(policy.sharpnessGate(manifest(sharpness: 0), batch: []).passed)
    }

    func testAManifestFromBeforeTheMeasurementsPassesTheirGates() {
        var m = manifest()
        m.master?.retouch?.quality = nil
        XCTAssertTrue(policy.sharpnessGate(m, batch: [12000, 12000, 12000, 12000, 12000]).passed)
        XCTAssertTrue(policy.backgroundGate(m).passed)
    }

    func testClippedHighlightsAreAnExposureException() {
        let d = policy.decide(manifest(clipped: 0.12))
        XCTAssertEqual(d.record.status, .exception)
        XCTAssertTrue(d.record.reason?.contains("highlights are clipped on 12% of the product") ?? false, d.record.reason ?? "")
    }

    func testLargeCorrectionsAreLightingExceptionsButACodedSweepIsNot() {
        XCTAssertFalse(policy.lightingGate(manifest(ev: -2.1)).passed)
        XCTAssertTrue(policy.lightingGate(manifest(ev: 1.0)).passed, "the quality harness drifts by ±1 EV and is fixed faithfully")
        let cast = policy.lightingGate(manifest(cast: [15, 16]))
        XCTAssertFalse(cast.passed)
        XCTAssertTrue(cast.reason?.contains("colour cast of chroma 22") ?? false, cast.reason ?? "")
        XCTAssertTrue(policy.lightingGate(manifest(cast: [40, 30], coloured: true)).passed, "a coloured sweep has its own flag")
    }

    func testAProductTooSmallForAnEnabledChannelIsAnException() {
        let g = policy.channelSizeGate(manifest(master: 1200, product: 1000))
        XCTAssertFalse(g.passed)
        XCTAssertTrue(g.reason?.contains("too small for amazon-main") ?? false, g.reason ?? "")
        XCTAssertNotNil(g.reason?.range(of: #"\(product \d+ px long; amazon-main needs \d+ px"#, options: .regularExpression), g.reason ?? "")
        XCTAssertFalse(g.reason?.contains("default") ?? true, "default pads small masters")
        XCTAssertTrue(policy.channelSizeGate(manifest(master: 3000, product: 2400)).passed)
        XCTAssertTrue(g.reason?.contains("approve to export the other channels only") ?? false, "default still takes it")
    }

    func testWhenNoChannelCanTakeTheProductTheReasonDoesNotPromiseAnExport() {
        var c = Config()
        c.export.channels = ["amazon-main", "walmart"]
        let g = ReviewPolicy(c).channelSizeGate(manifest(master: 1200, product: 1000))
        XCTAssertFalse(g.passed)
        XCTAssertEqual(g.value, 2)
        XCTAssertTrue(g.reason?.contains(GateResult.noChannelLeft) ?? false, g.reason ?? "")
        XCTAssertFalse(g.reason?.contains("other channels") ?? true, g.reason ?? "")
    }
}
