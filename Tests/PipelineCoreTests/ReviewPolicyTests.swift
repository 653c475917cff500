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
        XCTAssertEqual(d.record.status, "auto-approved")
        XCTAssertEqual(d.record.gates, [GateResult(gate: "resolution", value: 3000, threshold: 1000, passed: true),
                                        GateResult(gate: "sku", value: 1, threshold: 1, passed: true)])
    }

    func testSmallMasterIsAnExceptionWithAReason() {
        let d = ReviewPolicy(hold: false, minLongSide: 1000).decide(manifest(long: 800))
        XCTAssertEqual(d.destination, .review)
        XCTAssertEqual(d.record.status, "exception")
        XCTAssertTrue(d.record.reason?.contains("800 px") ?? false)
    }

    func testHoldKeepsEverythingForAPerson() {
        let d = ReviewPolicy(hold: true, minLongSide: 1000).decide(manifest(long: 3000))
        XCTAssertEqual(d.destination, .review)
        XCTAssertEqual(d.record.status, "held")
    }

    func testMissingMasterFailsTheGate() {
        var m = manifest(long: 3000)
        m.master = nil
        XCTAssertEqual(ReviewPolicy(hold: false, minLongSide: 1).decide(m).record.status, "exception")
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
        XCTAssertEqual(d.record.status, "exception")
        XCTAssertTrue(d.record.reason?.contains("unknown SKU: candidates NOPE-9 (name)") ?? false, d.record.reason ?? "")
        r.sku = "NOPE-9"
        m.skuResolution = r
        XCTAssertEqual(ReviewPolicy(hold: false, minLongSide: 1000).decide(m).record.status, "auto-approved")
    }
}
