import Foundation
import Generate
import PipelineCore
import XCTest

final class PlacementTests: XCTestCase {
    /// A 1000×800 plate whose contact point is (500, 700).
    func plate(perCm: Double? = nil, share: Double? = 0.5, contact: ScenePlate.Contact = .point(x: 500, y: 700)) -> ScenePlate {
        ScenePlate(name: "p", imagePath: "/p.jpg", sidecarPath: "/p.toml", width: 1000, height: 800, tags: [], contact: contact,
                   scale: .init(pxPerCm: perCm, productHeightShare: share), light: .init(), occluderPath: nil, reflection: 0, defocus: 0)
    }

    /// A 1200×1600 master whose product box is 400×1000 at (400, 300).
    func request(heightCm: Double? = nil, target: Int = 2000, maxScale: Double = 1, seed: UInt64 = 0) -> PlacementPlanner.Request {
        .init(masterWidth: 1200, masterHeight: 1600, productBox: [400, 300, 400, 1000], productHeightCm: heightCm,
              targetLongSide: target, maxMasterScale: maxScale, seed: seed)
    }

    func testTheShareRuleStandsTheBoxBaseOnTheContactPointCentred() throws {
        let p = try PlacementPlanner.plan(request(), on: plate())
        XCTAssertEqual([p.outputWidth, p.outputHeight], [2000, 1600])
        XCTAssertEqual(p.plateScale, 2)
        XCTAssertEqual(p.scale, 0.8, accuracy: 1e-12)         // 0.5 × 1600 / 1000
        XCTAssertEqual(p.rule, "height_share")
        // Base: offsetY + (300 + 1000) × 0.8 = 1400 = contact y; centre: offsetX + 600 × 0.8 = 1000.
        XCTAssertEqual(p.offsetY, 1400 - 1040); XCTAssertEqual(p.offsetX, 1000 - 480)
        XCTAssertEqual(p.contact, [1000, 1400])
        XCTAssertFalse(p.limitedByMaster)
    }

    func testCatalogueHeightAndPixelsPerCentimetreWinOverTheShare() throws {
        let p = try PlacementPlanner.plan(request(heightCm: 25), on: plate(perCm: 12, share: 0.5))
        XCTAssertEqual(p.rule, "px_per_cm")
        XCTAssertEqual(p.scale, 25 * 12 * 2 / 1000, accuracy: 1e-12)
        let noHeight = try PlacementPlanner.plan(request(), on: plate(perCm: 12, share: 0.5))
        XCTAssertEqual(noHeight.rule, "height_share")
    }

    func testPixelsPerCentimetreAloneNeedsTheCataloguesHeight() {
        XCTAssertThrowsError(try PlacementPlanner.plan(request(), on: plate(perCm: 12, share: nil))) { e in
            XCTAssertEqual((e as? PlacementError)?.reason, "no_scale")
        }
    }

    func testTheMasterIsNeverUpscaledTheOutputShrinksInstead() throws {
        // 0.5 × 3200 / 1000 = 1.6 would upscale the master: the plate is drawn at 1/1.6 of the asked size.
        let p = try PlacementPlanner.plan(request(target: 4000), on: plate())
        XCTAssertEqual(p.scale, 1)
        XCTAssertTrue(p.limitedByMaster)
        XCTAssertEqual([p.outputWidth, p.outputHeight], [2500, 2000])
        XCTAssertEqual(Double(p.offsetY) + 1300, p.contact[1], accuracy: 0.5)
        // A studio that accepts some upscaling says so.
        let allowed = try PlacementPlanner.plan(request(target: 4000, maxScale: 2), on: plate())
        XCTAssertEqual(allowed.scale, 1.6, accuracy: 1e-12)
        XCTAssertFalse(allowed.limitedByMaster)
    }

    func testAProductThatWouldLeaveTheFrameIsRefused() {
        XCTAssertThrowsError(try PlacementPlanner.plan(request(), on: plate(share: 0.5, contact: .point(x: 60, y: 700)))) { e in
            XCTAssertEqual((e as? PlacementError)?.reason, "does_not_fit")
        }
        XCTAssertThrowsError(try PlacementPlanner.plan(request(), on: plate(share: 0.95, contact: .point(x: 500, y: 500))))
    }

    func testTheSeedChoosesTheSpotAlongAContactLineAndNothingElse() throws {
        let line = plate(contact: .line(x0: 300, y0: 700, x1: 700, y1: 740, spread: 0.5))
        let a = try PlacementPlanner.plan(request(seed: 1), on: line), again = try PlacementPlanner.plan(request(seed: 1), on: line)
        let b = try PlacementPlanner.plan(request(seed: 2), on: line)
        XCTAssertEqual(a, again)
        XCTAssertNotEqual(a.contact, b.contact)
        XCTAssertEqual(a.scale, b.scale)
        for p in [a, b] {
            let x = p.contact[0] / 2, y = p.contact[1] / 2
            XCTAssertTrue((400...600).contains(x), "within the middle half of the line: \(x)")
            XCTAssertEqual(y, 700 + (x - 300) / 400 * 40, accuracy: 1e-9, "on the line")
        }
    }
}
