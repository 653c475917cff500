import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// `pipectl report` and the batch summary on the real daemon: a batch with clean frames and two
/// planted defects, one approved by a person and one rejected.
final class ReportTests: XCTestCase {
    func testABatchsReportCountsWhatHappenedAndTheHoursSaved() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        try d.start()
        let shots = try WorkbenchSite.shots()
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(shots.dir)/", "\(d.inbox)/roi/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 180, poll: 0.3) { d.assets(in: .export).count == 4 && d.assets(in: .review).count == 2 },
                      "export \(d.assets(in: .export)), review \(d.assets(in: .review))\n\(d.log.suffix(2000))")
        let held = d.assets(in: .review).sorted()
        XCTAssertEqual(d.pipectl(["approve", held[0]]).status, 0)
        XCTAssertEqual(d.pipectl(["reject", held[1], "--reason", "cut off at the top"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 120, poll: 0.3) { d.assets(in: .export).count == 5 && d.assets(in: .failed).count == 1 }, d.log.suffix(2000).description)

        let answer = d.pipectl(["report", "--batch", "roi", "--json"])
        XCTAssertEqual(answer.status, 0, answer.err)
        let r = try XCTUnwrap(try ControlCoding.decoder().decode(Response.self, from: Data(answer.out.utf8)).report)
        XCTAssertEqual(r.images, 6)
        XCTAssertEqual([r.exported, r.failed, r.waiting], [5, 1, 0])
        XCTAssertEqual(r.autoApproved, 4)
        XCTAssertEqual(r.exceptions, 2)
        XCTAssertEqual(Set(r.exceptionsByGate.keys), Set(shots.exceptions.values), "\(r.exceptionsByGate)")
        XCTAssertEqual([r.approvedByPerson, r.rejected], [1, 1])
        XCTAssertEqual(r.decisionsBy.values.reduce(0, +), 2)
        XCTAssertNotNil(r.medianMinutesToDecision)
        XCTAssertGreaterThan(r.machineSecondsPerImage ?? 0, 0)
        XCTAssertEqual(r.manualHours, 6 * 13.0 / 60, accuracy: 1e-9, "3 + 8 + 2 minutes an image by hand")
        XCTAssertEqual(r.reviewHours, 2 * 20.0 / 3600, accuracy: 1e-9, "20 s a look, for the two a person decided")
        XCTAssertEqual(r.savedHours, r.manualHours - r.reviewHours, accuracy: 1e-9)

        let text = d.pipectl(["report", "--batch", "roi"])
        XCTAssertTrue(text.out.contains("auto-passed:      4 (66.7 %)"), text.out)
        XCTAssertTrue(text.out.contains("saved:            1.3 h"), text.out)
        let since = try ControlCoding.decoder().decode(Response.self, from: Data(d.pipectl(["report", "--since", "2000-01-01", "--json"]).out.utf8))
        XCTAssertEqual(since.report?.images, 6)
        XCTAssertEqual(d.pipectl(["report", "--batch", "nope"]).status, 1)
        XCTAssertEqual(d.pipectl(["report", "--since", "last tuesday"]).status, 64)

        // The batch is done: its summary lies beside its channel manifests.
        let file = "\(d.root)/export/roi.report.json"
        XCTAssertTrue(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: file) }, file)
        let saved = try ControlCoding.decoder().decode(ROIReport.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        XCTAssertEqual(saved.images, 6)
        XCTAssertEqual(saved.rejected, 1)
    }
}
