import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// A held shoot handled by a person: the exceptions listed, the batch approved in one command
/// (its exception stays), the exception rejected with a reason, one asset reprocessed with a
/// per-asset override and then rolled back.
final class ReviewCommandsTests: XCTestCase {
    func testApproveBatchRejectExceptionsRetryWithOverridesAndRollback() throws {
        let base = NSTemporaryDirectory() + "pp-rev-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "sku,handle\nSKU-7501,mug\n".write(toFile: "\(base)/catalog.csv", atomically: true, encoding: .utf8)
        let d = try Daemon(config: "[ingest]\ncatalog = \"\(base)/catalog.csv\"\n[review]\nhold = true\n")
        defer { d.cleanUp() }
        try d.start()
        let src = try Fixtures.shots(count: 4, firstSku: 7501)   // SKU-7501_01..03 held, SKU-7502_01 unknown
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(d.inbox)/day-1"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .review).count == 4 }, d.log)

        let listed = d.pipectl(["exceptions"])
        XCTAssertEqual(listed.status, 0, listed.err)
        XCTAssertTrue(listed.out.contains("unknown SKU") && listed.out.contains("SKU-7502"), listed.out)
        XCTAssertEqual(listed.out.split(separator: "\n").count, 2, "a header and the one exception:\n\(listed.out)")
        let exception = try XCTUnwrap(d.assets(in: .review).first { (try? d.manifest($0, in: .review))?.review?.status == .exception })
        let summary = try XCTUnwrap(try d.request(Request(command: .review)).review?.first { $0.batch == "day-1" })
        XCTAssertEqual([summary.total, summary.exceptions, summary.waiting, summary.autoApproved], [4, 1, 4, 0])
        XCTAssertEqual(summary.gateFailures, ["sku": 1])
        let waitingList = d.pipectl(["review", "day-1"])
        XCTAssertTrue(waitingList.out.contains("held") && waitingList.out.contains("exception: unknown SKU"), waitingList.out)

        let approved = d.pipectl(["approve", "day-1"])
        XCTAssertEqual(approved.status, 0, approved.err)
        XCTAssertTrue(approved.out.contains("approved 3; 1 exception left"), approved.out)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == 3 }, d.log)
        XCTAssertEqual(d.assets(in: .review), [exception], "the exception stays")
        let one = try d.manifest(try XCTUnwrap(d.assets(in: .export).first), in: .export)
        XCTAssertEqual(one.review?.status, .approved)
        let me = String(cString: getpwuid(getuid()).pointee.pw_name)
        XCTAssertEqual(one.review?.decidedBy, "\(me) (uid \(getuid()))", "the peer's user name from its credentials")
        XCTAssertTrue(one.history.contains { $0.note?.contains("approved with batch day-1") ?? false })

        XCTAssertNotEqual(d.pipectl(["reject", exception]).status, 0, "a reason is required")
        let rejected = d.pipectl(["reject", exception, "--reason", "not our product"])
        XCTAssertEqual(rejected.status, 0, rejected.err)
        XCTAssertEqual(d.assets(in: .failed), [exception])
        let failed = try d.manifest(exception, in: .failed)
        XCTAssertEqual(failed.error?.code, "rejected")
        XCTAssertTrue(failed.error?.message.contains("not our product") ?? false)
        XCTAssertEqual(failed.review?.status, .rejected)
        XCTAssertTrue(d.pipectl(["exceptions"]).out.contains("no exceptions"))

        // Reprocess one asset with a per-asset override; it is kept for later rebuilds.
        let bad = d.pipectl(["retry", one.id, "--set", "retouch.shadoww=none"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("unknown key"), bad.err)
        XCTAssertEqual(d.pipectl(["retry", one.id, "--set", "retouch.shadow=none"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .review).contains(one.id) }, d.log)
        XCTAssertEqual(d.pipectl(["approve", one.id]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { (try? d.manifest(one.id, in: .export)) != nil }, d.log)
        let redone = try d.manifest(one.id, in: .export)
        XCTAssertEqual(redone.retouchOverrides, ["retouch.shadow=none"])
        XCTAssertEqual(redone.master?.retouch?.shadow, "none")

        XCTAssertEqual(d.pipectl(["rollback", one.id]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .review).contains(one.id) }, d.log)
        XCTAssertEqual(d.pipectl(["approve", one.id]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { (try? d.manifest(one.id, in: .export)) != nil }, d.log)
        let rolled = try d.manifest(one.id, in: .export)
        XCTAssertNil(rolled.retouchOverrides)
        XCTAssertEqual(rolled.master?.retouch?.shadow, "synthesise")
        XCTAssertTrue(rolled.history.contains { $0.note == "rollback by \(me) (uid \(getuid()))" })
    }

    func testASampleOfAPassingBatchWaitsAndOneCommandSendsItOn() throws {
        let d = try Daemon(config: "[review]\nsample_rate = 0.25\n")
        defer { d.cleanUp() }
        try d.start()
        let src = try Fixtures.shots(count: 4, firstSku: 7601)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/day-2/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .review).count + d.assets(in: .export).count == 4 }, d.log)
        XCTAssertEqual(d.assets(in: .review).count, 1, "25% of 4, and the batch's first passing asset")
        let held = try d.manifest(try XCTUnwrap(d.assets(in: .review).first), in: .review)
        XCTAssertEqual(held.review?.status, .sampled)
        XCTAssertTrue(held.review?.gates.allSatisfy(\.passed) ?? false)
        XCTAssertTrue(d.pipectl(["exceptions"]).out.contains("no exceptions"), "a sample is not an exception")
        XCTAssertTrue(d.pipectl(["approve", "day-2"]).out.contains("approved 1"))
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == 4 }, d.log)
        XCTAssertEqual(try d.manifest(held.id, in: .export).review?.sampled, true, "approved, and still known as sampled")
    }
}
