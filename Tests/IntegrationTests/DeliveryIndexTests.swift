import ControlProtocol
import Delivery
import Foundation
@testable import PhotopipeDaemon
import PipelineCore
import XCTest

/// `pipectl deliveries` and the status counts come from an index kept in memory: its pages must
/// cover every row once in order, its filters and counts must follow every record written.
final class DeliveryIndexTests: XCTestCase {
    func record(_ asset: String, target: String, batch: String, _ statuses: [DeliveryRecord.Status]) -> DeliveryRecord {
        let channels = ["default", "shopify", "amazon"]
        let items = statuses.enumerated().map { n, s in
            var i = DeliveryRecord.Item(channel: channels[n], file: "\(asset).jpg", path: "export/\(channels[n])/\(asset).jpg", sha256: "\(asset)\(n)", bytes: 10)
            i.status = s
            i.attempts = s == .pending ? 0 : 1
            if s == .failed { i.error = "refused" }
            if s == .delivered { i.url = "https://cdn/\(channels[n])/\(asset).jpg" }
            return i
        }
        return DeliveryRecord(asset: asset, batch: batch, sku: "SKU-\(asset)", target: target, items: items)
    }

    func post(_ batch: String, _ status: DeliveryRecord.Status) -> WebhookRecord {
        var w = WebhookRecord(target: "shop", batch: batch, payloadSHA256: "x")
        w.deliveryId = "id-\(batch)"
        w.status = status
        return w
    }

    /// 2 targets × 4 assets × 2 files, one failed file each at nas for a2 and a4, two posts.
    func sample() -> DeliveryIndex {
        var index = DeliveryIndex()
        for (n, asset) in ["a4", "a1", "a3", "a2"].enumerated() {   // written out of order
            let batch = n % 2 == 0 ? "b2" : "b1"
            index.put(record(asset, target: "nas", batch: batch, asset == "a2" || asset == "a4" ? [.delivered, .failed] : [.delivered, .delivered]))
            index.put(record(asset, target: "cdn", batch: batch, [.delivered, .pending]))
        }
        index.put(post("b1", .delivered))
        index.put(post("b2", .failed))
        return index
    }

    func page(_ index: DeliveryIndex, batch: String? = nil, failed: Bool = false, after: String? = nil, limit: Int = 1000) -> (rows: [DeliverySummary], next: String?) {
        index.page(batch: batch, failedOnly: failed, after: after, limit: limit) { _ in "http://hook" }
    }

    func testPagesCoverEveryRowOnceInOrderAndNameTheNextCursor() {
        let index = sample()
        let all = page(index)
        XCTAssertNil(all.next, "everything fits: no next page")
        XCTAssertEqual(all.rows.count, 2 * 4 * 2 + 2)
        XCTAssertEqual(all.rows.prefix(3).map { "\($0.target) \($0.asset) \($0.file)" },
                       ["cdn a1 default/a1.jpg", "cdn a1 shopify/a1.jpg", "cdn a2 default/a2.jpg"], "by target, then asset, then file")
        XCTAssertEqual(all.rows.suffix(2).map { "\($0.target) \($0.batch) \($0.file)" }, ["shop b1 batch manifest", "shop b2 batch manifest"],
                       "the posts come after every file")

        let first = page(index, limit: 3)
        XCTAssertEqual(first.rows.count, 3)
        XCTAssertEqual(first.next, "cdn/a2/default/a2.jpg", "the cursor names the last row sent")
        let second = page(index, after: first.next, limit: 3)
        XCTAssertEqual(second.rows.first.map { "\($0.target) \($0.asset) \($0.file)" }, "cdn a2 shopify/a2.jpg", "continues inside a record")

        var walked: [DeliverySummary] = []
        var cursor: String?
        var pages = 0
        repeat {
            let p = page(index, after: cursor, limit: 3)
            walked += p.rows
            cursor = p.next
            pages += 1
        } while cursor != nil && pages < 20
        XCTAssertEqual(walked, all.rows, "page after page gives every row once, in the same order")
        XCTAssertEqual(pages, 6)
        XCTAssertEqual(page(index, after: "shop/-/b1", limit: 3).rows.map(\.batch), ["b2"], "a post's cursor continues with the posts")
    }

    func testFiltersByFailureAndBatch() {
        let index = sample()
        let failed = page(index, failed: true)
        XCTAssertEqual(failed.rows.map { "\($0.target) \($0.asset) \($0.file) \($0.error ?? "")" },
                       ["nas a2 shopify/a2.jpg refused", "nas a4 shopify/a4.jpg refused", "shop - batch manifest "])
        let firstFailed = page(index, failed: true, limit: 1)
        XCTAssertEqual(firstFailed.next, "nas/a2/shopify/a2.jpg")
        XCTAssertEqual(page(index, failed: true, after: firstFailed.next, limit: 1).rows.map(\.asset), ["a4"])

        let b1 = page(index, batch: "b1")
        XCTAssertEqual(Set(b1.rows.map(\.asset)), ["a1", "a2", "-"])
        XCTAssertEqual(page(index, batch: "b1", failed: true).rows.map(\.asset), ["a2"])
        XCTAssertTrue(page(index, batch: "nope").rows.isEmpty)
    }

    func testCountsAndBatchStateFollowEveryWrite() {
        var index = sample()
        XCTAssertEqual(index.counts, ["delivered": 10, "pending": 4, "failed": 2])
        index.put(record("a1", target: "cdn", batch: "b1", [.delivered, .delivered]))
        XCTAssertEqual(index.counts, ["delivered": 11, "pending": 3, "failed": 2], "a record written again replaces its counts")
        index.put(record("a2", target: "nas", batch: "b1", [.delivered, .delivered]))
        XCTAssertEqual(page(index, failed: true).rows.map(\.asset), ["a4", "-"], "a record no longer failed leaves the failed rows")

        let state = BatchDeliveryManifest.make(batch: "b1", records: index.records(batch: "b1"))
        XCTAssertEqual(state.files.count, 7, "a1 and a2 at nas, a1 at cdn, a2's first file at cdn")
        XCTAssertFalse(state.complete, "a2's second file at cdn is pending")
        XCTAssertEqual(index.assets(batch: "b1"), ["a1", "a2"])
        XCTAssertEqual(index.post(target: "shop", batch: "b2")?.status, .failed)
        XCTAssertEqual(index.failedPosts { $0 == "b2" }.map(\.batch), ["b2"])
    }

    /// The service's answer is the index: a record queued or settled after start shows up at once,
    /// without the disk being read again (a record planted behind its back does not).
    func testRecordsWrittenAfterStartAreAnsweredFromMemory() throws {
        let base = NSTemporaryDirectory() + "pp-didx-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let layout = Layout(root: "\(base)/root")
        var settings = DeliverySettings()
        var nas = DeliverySettings.Target(name: "nas")
        nas.path = "\(base)/nas"
        settings.targets["nas"] = nas
        let store = DeliveryStore(layout: layout)
        try store.write(record("old", target: "nas", batch: "b0", [.delivered]))

        let deliveries = Deliveries(settings: settings, layout: layout, clock: SystemClock(), mailbox: Mailbox(), log: .init(label: "test"),
                                    record: { _ in })
        deliveries.start()
        XCTAssertEqual(deliveries.counts, ["delivered": 1], "the records on disk at start are counted")

        var m = Manifest(id: "new", batch: "b1", sourceName: "new.jpg", original: "originals/b1/new.jpg", sha256: "s", bytes: 1,
                         sku: "SKU-new", view: 1, skuSource: "name", arrivedAt: Date())
        m.outputs = [OutputRecord(channel: "default", path: "export/default/new.jpg", bytes: 10, width: 1, height: 1, sha256: "n0"),
                     OutputRecord(channel: "shopify", path: "export/shopify/new.jpg", bytes: 10, width: 1, height: 1, sha256: "n1")]
        deliveries.queue(m)
        try FileManager.default.removeItem(atPath: store.path(target: "nas", asset: "new"))
        try store.write(record("planted", target: "nas", batch: "b1", [.failed]))

        let queued = deliveries.answer(batch: "b1", failedOnly: false, limit: 10, after: nil)
        XCTAssertEqual(queued.deliveries?.map { "\($0.asset) \($0.file) \($0.status)" }, ["new default/new.jpg pending", "new shopify/new.jpg pending"])
        XCTAssertEqual(deliveries.counts, ["delivered": 1, "pending": 2])

        let item = try XCTUnwrap(DeliveryRecord.forExport(m, target: nas, previous: nil).items.first)
        let job = DeliveryJob(target: nas, credentials: Credentials(), owner: "new", work: .file(item, batch: "b1", sku: "SKU-new"), root: layout.root)
        deliveries.finished(DeliveryOutcome(job: job, result: .success(S3Client.Result(url: "\(base)/nas/default/new.jpg", etag: nil, alreadyThere: false))))
        let settled = deliveries.answer(batch: "b1", failedOnly: false, limit: 1, after: nil)
        XCTAssertEqual(settled.deliveries?.map { "\($0.file) \($0.status) \($0.url ?? "")" }, ["default/new.jpg delivered \(base)/nas/default/new.jpg"])
        XCTAssertEqual(settled.next, "nas/new/default/new.jpg")
        XCTAssertEqual(deliveries.counts, ["delivered": 2, "pending": 1])
        XCTAssertTrue(deliveries.idle, "nothing was started: service() was never called")
    }
}

final class PackedDigestTests: XCTestCase {
    func testASHA256IsPackedAndGivenBackAsItCame() {
        let sha = "00a1b2c3d4e5f60718293a4b5c6d7e8f9000000000000000ffffffffffffffff"
        XCTAssertEqual(PackedDigest(sha).hex, sha)
        guard case .sha256 = PackedDigest(sha) else { return XCTFail("64 lower-case hex digits are packed") }
        for other in ["abc", String(repeating: "A", count: 64), ""] {
            XCTAssertEqual(PackedDigest(other), .text(other), "anything else is kept as text")
        }
    }
}
