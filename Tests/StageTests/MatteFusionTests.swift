import Foundation
import PipelineCore
@testable import Retouch
import XCTest

/// The fusion policy, the bounded correction and the specular-highlight count, driven directly.
final class MatteFusionTests: XCTestCase {
    /// A w×h mask with a filled rectangle.
    func rect(_ w: Int, _ h: Int, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> [Bool] {
        (0..<(w * h)).map { let x = $0 % w, y = $0 / w; return x >= x0 && x < x1 && y >= y0 && y < y1 }
    }

    func testAgreementIgnoresThinPartsButSeesAShapeMissing() {
        let w = 640, h = 480
        let body = rect(w, h, 200, 100, 440, 300)
        // A chair: the same seat, plus four legs three pixels wide that only keying found.
        var chair = body
        for lx in [210, 260, 380, 430] { for y in 300..<460 { for x in lx..<(lx + 3) { chair[y * w + x] = true } } }
        XCTAssertGreaterThanOrEqual(MatteFusion.agreement(keying: chair, network: body, width: w, height: h), 0.97)
        // Half the product gone (a white bowl's rim keyed out as backdrop).
        let half = rect(w, h, 200, 100, 320, 300)
        XCTAssertLessThan(MatteFusion.agreement(keying: half, network: body, width: w, height: h), 0.6)
        // Nothing found by either: they agree.
        let none = [Bool](repeating: false, count: w * h)
        XCTAssertEqual(MatteFusion.agreement(keying: none, network: none, width: w, height: h), 1)
        XCTAssertEqual(MatteFusion.agreement(keying: none, network: body, width: w, height: h), 0)
    }

    func testOpeningsAreComparedAsSilhouettesAndDisputedOnlyWithIslands() {
        let w = 100, h = 100
        // A ring: keying keeps the hole open, the network fills it.
        let disk = (0..<(w * h)).map { let dx = $0 % w - 50, dy = $0 / w - 50; return dx * dx + dy * dy <= 30 * 30 }
        let ring = (0..<(w * h)).map { let dx = $0 % w - 50, dy = $0 / w - 50; return disk[$0] && dx * dx + dy * dy > 15 * 15 }
        XCTAssertEqual(MatteFusion.agreement(keying: ring, network: disk, width: w, height: h), 1)
        let ringLabels = ring.map { $0 ? CoarseMatte.Label.product : .backdrop }
        let sure = [Float](repeating: 0.95, count: w * h)
        XCTAssertEqual(MatteFusion.disputedOpenings(keying: ringLabels, probability: sure, width: w, height: h), 0, "an empty hole is a hole")
        // A clock: the dial keyed out around the hands, which stand alone inside the opening.
        var clock = ringLabels
        for y in 40..<60 { for x in 49..<52 { clock[y * w + x] = .product } }
        XCTAssertEqual(MatteFusion.disputedOpenings(keying: clock, probability: sure, width: w, height: h), 1)
        let unsure = [Float](repeating: 0.1, count: w * h)
        XCTAssertEqual(MatteFusion.disputedOpenings(keying: clock, probability: unsure, width: w, height: h), 0, "the network sees no dial either")
        XCTAssertEqual(MatteFusion.flags([], winner: .keying, agreement: 1, minimum: 0.9, disputedOpenings: 1), ["segmenters_disagree"])
    }

    func testWinnerAndFlags() {
        XCTAssertEqual(MatteFusion.winner(keyingFlags: []), .keying)
        XCTAssertEqual(MatteFusion.winner(keyingFlags: ["touches_left", "transparent"]), .keying)
        XCTAssertEqual(MatteFusion.winner(keyingFlags: ["low_contrast"]), .network)
        XCTAssertEqual(MatteFusion.winner(keyingFlags: ["no_product"]), .network)

        // Sure keying that the network contradicts goes to a person.
        XCTAssertEqual(MatteFusion.flags([], winner: .keying, agreement: 0.7, minimum: 0.9), ["segmenters_disagree"])
        XCTAssertEqual(MatteFusion.flags([], winner: .keying, agreement: 0.95, minimum: 0.9), [])
        // Unsure keying, answered by an agreeing network: the doubt is settled.
        XCTAssertEqual(MatteFusion.flags(["low_contrast", "uneven_backdrop"], winner: .network, agreement: 0.93, minimum: 0.9), [])
        // ... but not when they disagree, and never for doubts agreement cannot answer.
        XCTAssertEqual(MatteFusion.flags(["low_contrast"], winner: .network, agreement: 0.5, minimum: 0.9),
                       ["low_contrast", "segmenters_disagree"])
        XCTAssertEqual(MatteFusion.flags(["backdrop_not_found", "transparent"], winner: .network, agreement: 0.95, minimum: 0.9),
                       ["backdrop_not_found", "transparent"])

        XCTAssertEqual(MatteFusion.confidence(keying: 0.2, flags: [], winner: .network, agreement: 0.96), 0.96)
        XCTAssertEqual(MatteFusion.confidence(keying: 0.99, flags: ["segmenters_disagree"], winner: .keying, agreement: 0.5), 0.5)
        XCTAssertEqual(MatteFusion.confidence(keying: 0.99, flags: ["touches_top"], winner: .keying, agreement: 0.97), 0.99)
    }

    func testNetworkLabelsKeepKeyingsShadows() {
        let keying: [CoarseMatte.Label] = [.backdrop, .shadow, .product, .product]
        let labels = MatteFusion.networkLabels(probability: [0.9, 0.1, 0.2, 0.7], keying: keying)
        XCTAssertEqual(labels, [.product, .shadow, .backdrop, .product])
    }

    func testCorrectionIsBounded() {
        var settings = RetouchSettings()
        // A dark room, not a sweep: 10 stops under the target; held at the default 2.5 EV.
        let dark = ColourCorrection(reference: SIMD3(repeating: 0.001), settings: settings)
        XCTAssertEqual(dark.exposureEV, 2.5, accuracy: 1e-4)
        XCTAssertTrue(dark.capped)
        // A warm cast on a white sweep (not so strong that the sweep counts as coloured), against a
        // tight cast cap: the channels are held within it.
        settings.maxCastGain = 1.15
        let warm = ColourCorrection(reference: SIMD3(0.8, 0.62, 0.48), settings: settings)
        XCTAssertFalse(warm.coloured)
        let g = warm.gains
        XCTAssertLessThanOrEqual(g.max() / g.min(), Float(settings.maxCastGain * settings.maxCastGain) * 1.001)
        XCTAssertTrue(warm.capped)
        settings.maxCastGain = 1.5
        // A normal frame: slightly grey, slightly cool, corrected in full.
        let normal = ColourCorrection(reference: SIMD3(0.78, 0.8, 0.84), settings: settings)
        XCTAssertFalse(normal.capped)
        XCTAssertEqual(Double(normal.gains.x * 0.78), 1, accuracy: 0.01)
        // No reliable backdrop: nothing is corrected.
        let none = ColourCorrection(reference: SIMD3(0.01, 0.02, 0.03), settings: settings, reliable: false)
        XCTAssertEqual(none.gains, SIMD3(repeating: 1))
        XCTAssertTrue(none.uncorrected)
        settings.maxExposureEV = 3
        XCTAssertEqual(ColourCorrection(reference: SIMD3(repeating: 0.001), settings: settings).exposureEV, 3, accuracy: 1e-4)
        // A blue carpet with no reference colour: left as shot, and said so.
        let carpet = ColourCorrection(reference: SIMD3(0.06, 0.18, 0.69), settings: settings)
        XCTAssertTrue(carpet.coloured && carpet.unreferenced && carpet.uncorrected)
        XCTAssertEqual(carpet.gains, SIMD3(repeating: 1))
        XCTAssertEqual(carpet.exposureEV, 0, accuracy: 1e-6)
        // The same sweep with its colour under the reference light given: corrected to it.
        settings.backdropReference = [67, 119, 215]
        let referenced = ColourCorrection(reference: SIMD3(0.03, 0.09, 0.35), settings: settings)
        XCTAssertFalse(referenced.unreferenced || referenced.uncorrected)
        XCTAssertGreaterThan(referenced.exposureEV, 0.5)
    }

    func testSpecularHighlightsAreGlintsNotWhiteProducts() {
        let w = 100, h = 100
        var labels = [CoarseMatte.Label](repeating: .backdrop, count: w * h)
        for y in 20..<80 { for x in 20..<80 { labels[y * w + x] = .product } }
        // A white product: bright everywhere, no glint.
        let white = [SIMD3<Float>](repeating: SIMD3(0.92, 0.92, 0.92), count: w * h)
        XCTAssertEqual(SpecularHighlights.count(labels: labels, linear: white, width: w, height: h), 0)
        // A dark product with white print: bright but not near clipping.
        var printed = [SIMD3<Float>](repeating: SIMD3(0.05, 0.2, 0.05), count: w * h)
        for y in 40..<44 { for x in 30..<70 { printed[y * w + x] = SIMD3(0.7, 0.7, 0.7) } }
        XCTAssertEqual(SpecularHighlights.count(labels: labels, linear: printed, width: w, height: h), 0)
        // Chrome: a mid-grey product with clipped glints.
        var chrome = [SIMD3<Float>](repeating: SIMD3(0.3, 0.3, 0.3), count: w * h)
        for (cx, cy) in [(35, 35), (60, 50), (45, 70)] { for y in cy..<(cy + 2) { for x in cx..<(cx + 2) { chrome[y * w + x] = SIMD3(1, 1, 1) } } }
        XCTAssertEqual(SpecularHighlights.count(labels: labels, linear: chrome, width: w, height: h), 12)
    }

    func testTransparentIsNotShownBesideLowContrast() {
        XCTAssertEqual(Assessment.shown(["low_contrast", "transparent", "segmenters_disagree"]), ["low_contrast", "segmenters_disagree"])
        // Low contrast answered by the network's agreement: the see-through reading still holds the frame.
        XCTAssertEqual(Assessment.shown(["transparent"]), ["transparent"])
    }
}
