import Foundation
@testable import PhotopipeDaemon
import PipelineCore
import XCTest

/// The in-memory index answers what reading every manifest used to: its counts, pages and
/// per-batch figures must follow every kind of transition.
final class AssetIndexTests: XCTestCase {
    func manifest(_ id: String, batch: String = "b1", review: ReviewStatus? = nil, failedGate: Bool = false,
                  exportIssue: Bool = false) -> Manifest {
        var m = Manifest(id: id, batch: batch, sourceName: "\(id).jpg", original: "originals/\(batch)/\(id).jpg",
                         sha256: id, bytes: 1, sku: "SKU-\(id)", view: 1, skuSource: "name", arrivedAt: Date(timeIntervalSince1970: 1000))
        if let review {
            m.review = ReviewRecord(status: review, gates: [GateResult(gate: "sharpness", value: 1, threshold: 2, passed: !failedGate)])
        }
        if exportIssue { m.exportIssues = [ChannelIssue(channel: "amazon", code: "name_taken", message: "taken", file: "x.jpg")] }
        return m
    }

    func testCountsPagesAndBatchFiguresFollowEveryTransition() {
        let index = AssetIndex(reviewedQueues: [.review, .approved, .export, .failed])
        for i in 1...5 { index.put(manifest("a\(i)"), in: .ingested) }
        XCTAssertEqual(index.count(in: .ingested), 5)

        index.claim("a1", by: .retouch)
        XCTAssertEqual(index.count(in: .ingested), 4, "a claimed asset is in progress, not at rest")
        XCTAssertEqual(index.batches["b1"]?.inProgress, 1)
        index.put(manifest("a1"), in: .retouched)
        XCTAssertEqual(index.count(in: .ingested), 4)
        XCTAssertEqual(index.count(in: .retouched), 1)
        XCTAssertEqual(index.batches["b1"]?.inProgress, 0)

        index.put(manifest("a2", review: .exception, failedGate: true), in: .review)
        index.put(manifest("a3", review: .autoApproved), in: .export)
        index.put(manifest("a4", review: .approved, exportIssue: true), in: .export)
        index.put(manifest("a5", review: .rejected), key: "a5-2", in: .failed)
        XCTAssertNil(index.entry("a5"), "a failed asset leaves its live place")
        XCTAssertEqual(index.entry("a5-2")?.queue, .failed)
        XCTAssertEqual(index.withExportIssues, ["a4"])

        let r = index.batches["b1"]!.review
        XCTAssertEqual([r.total, r.exceptions, r.waiting, r.autoApproved, r.approvedByPerson, r.rejected], [4, 1, 1, 1, 1, 1])
        XCTAssertEqual(r.gateFailures, ["sharpness": 1])
        XCTAssertEqual(index.batches["b1"]!.atRest, [.retouched: 1, .review: 1, .export: 2, .failed: 1])

        // The exception is approved, then exported: the figures move with it.
        index.put(manifest("a2", review: .approved, failedGate: true), in: .approved)
        index.claim("a2", by: .export)
        index.put(manifest("a2", review: .approved, failedGate: true), in: .export)
        let after = index.batches["b1"]!.review
        XCTAssertEqual([after.total, after.waiting, after.approvedByPerson], [4, 0, 2])
        XCTAssertEqual(index.count(in: .export), 3)

        // A retried failure comes back live; the older failed/ folder of another asset stays.
        index.insert(manifest("a3", review: .rejected), key: "a3", in: .failed)
        XCTAssertEqual(index.entry("a3")?.queue, .export, "an older failure does not hide the live asset")
        index.removeFailed("a5-2")
        index.put(manifest("a5"), in: .ingested)
        XCTAssertEqual(index.count(in: .failed), 1)
        XCTAssertEqual(index.batches["b1"]!.atRest[.ingested], 1)

        // Pages: in queue order, `next` names where the following page starts.
        let first = index.page(queues: [.export], matching: { _ in true }, after: nil, limit: 2)
        XCTAssertEqual(first.entries.map(\.key), ["a3", "a4"])
        XCTAssertEqual(first.next, "a4")
        let second = index.page(queues: [.export], matching: { _ in true }, after: first.next, limit: 2)
        XCTAssertEqual(second.entries.map(\.key), ["a2"])
        XCTAssertNil(second.next)
    }

    func testArrivalOrderMovesAReturningKeyToTheEndAndCompacts() {
        var o = ArrivalOrder()
        for i in 0..<200 { o.append("k\(i)") }
        for i in 0..<150 { o.remove("k\(i)") }
        o.append("k160")
        XCTAssertEqual(o.count, 50)
        XCTAssertEqual(o.ordered.first, "k150")
        XCTAssertEqual(o.ordered.last, "k160", "a key appended again goes to the end, once")
        XCTAssertEqual(Set(o.ordered).count, o.ordered.count)
    }
}
