import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// `pipectl deliveries` pages like `list`: the real daemon and pipectl on records found at start.
final class DeliveryPagingTests: XCTestCase {
    func testDeliveriesPageWithLimitAfterAndFailed() throws {
        let d = try Daemon(config: "[delivery.target.nas]\ntype = \"folder\"\npath = \"\(NSTemporaryDirectory())pp-nas-unused\"\n")
        defer { d.cleanUp() }
        let store = DeliveryStore(layout: Layout(root: d.root))
        for n in 1...5 {
            var item = DeliveryRecord.Item(channel: "default", file: "a\(n).jpg", path: "export/default/a\(n).jpg", sha256: "\(n)", bytes: 1)
            item.status = n % 2 == 0 ? .failed : .delivered
            item.attempts = 1
            item.error = n % 2 == 0 ? "disk of the NAS is full" : nil
            try store.write(DeliveryRecord(asset: "a\(n)", batch: n <= 3 ? "b1" : "b2", sku: "S\(n)", target: "nas", items: [item]))
        }
        try d.start()

        let first = d.pipectl(["deliveries", "--limit", "2"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(first.out.components(separatedBy: "\n").filter { $0.hasPrefix("nas ") }.count, 2, first.out)
        XCTAssertTrue(first.err.contains("more: pipectl deliveries --limit 2 ") && first.err.contains("--after nas/a2/default/a2.jpg"), first.err)

        var r = Request(command: .deliveries)
        r.limit = 2
        r.after = "nas/a2/default/a2.jpg"
        let second = try d.request(r)
        XCTAssertEqual(second.deliveries?.map(\.asset), ["a3", "a4"])
        XCTAssertEqual(second.next, "nas/a4/default/a4.jpg")
        r.after = second.next
        let last = try d.request(r)
        XCTAssertEqual(last.deliveries?.map(\.asset), ["a5"])
        XCTAssertNil(last.next, "the last page names no next")

        let failed = d.pipectl(["deliveries", "--failed"])
        XCTAssertEqual(failed.out.components(separatedBy: "\n").filter { $0.hasPrefix("nas ") }.map { $0.split(separator: " ")[1] }, ["a2", "a4"], failed.out)
        XCTAssertTrue(failed.out.contains("disk of the NAS is full"))
        XCTAssertEqual(d.pipectl(["deliveries", "--batch", "b2", "--failed"]).out.components(separatedBy: "\n").filter { $0.hasPrefix("nas ") }.count, 1)
        XCTAssertEqual(try d.status().deliveries, ["delivered": 3, "failed": 2])
    }
}
