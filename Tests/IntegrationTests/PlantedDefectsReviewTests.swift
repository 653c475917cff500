import ControlProtocol
import Foundation
import Imaging
import SampleShots
import PipelineCore
import XCTest

/// A batch of 100 studio shots with defects planted at known places (blurred, too small, highlights
/// clipped, shadows crushed, cut off at the edge, white on white, shot twice, a prop on the sweep)
/// through the real daemon with the default 12% sample: every planted defect is an exception for
/// the right gate, no clean frame is, the sample stays within the rate, and one `pipectl approve`
/// sends everything else on to export. The batch's contact sheet is checked on the way.
final class PlantedDefectsReviewTests: XCTestCase {
    func testPlantedDefectsAreCaughtTheSampleKeepsItsRateAndOneApproveSendsTheRest() throws {
        let shots = PlantedDefects.shots(count: 100)
        let src = NSTemporaryDirectory() + "pp-planted-\(getpid())"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: src) }
        try Vips.start()
        for s in shots { try s.frame.write(jpeg: "\(src)/\(s.name)") }

        let d = try Daemon(config: "[review]\nsample_rate = 0.12\n")
        defer { d.cleanUp() }
        try d.start()
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/planted/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 600, poll: 0.5) { d.assets(in: .review).count + d.assets(in: .export).count == 100 },
                      "not all 100 decided: review \(d.assets(in: .review).count), export \(d.assets(in: .export).count), failed \(d.assets(in: .failed).count)\n\(d.log.suffix(3000))")

        var byFile: [String: Manifest] = [:]
        for q in [Queue.review, .export] {
            for id in d.assets(in: q) {
                let m = try d.manifest(id, in: q)
                byFile[String(format: "%@_%02d.jpg", m.sku, m.view ?? 0)] = m
            }
        }
        XCTAssertEqual(byFile.count, 100)
        let exceptions = byFile.filter { $0.value.review?.status == .exception }

        // Each planted defect: an exception, its gate among the failed ones, a reason with an action.
        for shot in shots {
            guard let defect = shot.defect, defect != .duplicate else { continue }
            let m = try XCTUnwrap(byFile[shot.name], shot.name)
            let failed = (m.review?.gates ?? []).filter { !$0.passed }.map(\.gate)
            XCTAssertEqual(m.review?.status, .exception, "\(defect.rawValue) \(shot.name) was not stopped: \(m.review?.gates ?? [])")
            XCTAssertTrue(failed.contains(defect.gate), "\(defect.rawValue) \(shot.name) failed \(failed), not \(defect.gate)")
            let reason = m.review?.reason ?? ""
            XCTAssertTrue(reason.contains("reshoot") || reason.contains("check"), "\(shot.name): no action in \(reason)")
        }
        // The duplicate: one of the SKU's two frames is flagged as the other's near-duplicate.
        let dup = try XCTUnwrap(shots.first { $0.defect == .duplicate })
        let pair = byFile.filter { $0.value.sku == byFile[dup.name]?.sku }
        XCTAssertEqual(pair.count, 2)
        let flaggedPair = pair.filter { ($0.value.review?.gates ?? []).contains { $0.gate == "near-duplicate" && !$0.passed } }
        XCTAssertEqual(flaggedPair.count, 1, "exactly one of \(pair.keys.sorted()) is the near-duplicate")

        // No clean frame is an exception.
        let planted = Set(shots.filter { $0.defect != nil && $0.defect != .duplicate }.map(\.name)).union(flaggedPair.keys)
        let falseAlarms = exceptions.keys.filter { !planted.contains($0) }
        XCTAssertEqual(falseAlarms.sorted(), [], falseAlarms.map { "\($0): \(byFile[$0]?.review?.reason ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(exceptions.count, planted.count)

        // The sample: within the rate of the passing frames, none of them an exception.
        let passing = 100 - exceptions.count
        let sampled = byFile.values.filter { $0.review?.status == .sampled }.count
        let quota = Int((0.12 * Double(passing)).rounded(.up))
        XCTAssertTrue((quota - 1)...quota ~= sampled, "sampled \(sampled) of \(passing) passing; quota \(quota)")
        let summary = try XCTUnwrap(try d.request(Request(command: .review)).review?.first { $0.batch == "planted" })
        XCTAssertEqual(summary.total, 100)
        XCTAssertEqual(summary.exceptions, exceptions.count)
        XCTAssertEqual(summary.sampled, sampled)
        XCTAssertEqual(summary.autoApproved, passing - sampled)
        for gate in ["sharpness", "resolution", "exposure", "framing", "retouch", "near-duplicate", "background"] {
            XCTAssertGreaterThan(summary.gateFailures[gate] ?? 0, 0, "\(gate) in \(summary.gateFailures)")
        }

        try checkContactSheet(d, batch: "planted", exceptions: Set(exceptions.values.map(\.id)), total: 100)

        // One command sends the sample on; the exceptions stay.
        let approved = d.pipectl(["approve", "planted"])
        XCTAssertEqual(approved.status, 0, approved.err)
        XCTAssertTrue(approved.out.contains("approved \(sampled); \(exceptions.count) exceptions left"), approved.out)
        XCTAssertTrue(waitUntil(timeout: 120) { d.assets(in: .export).count == passing }, d.log)
        XCTAssertEqual(Set(d.assets(in: .review)), Set(exceptions.values.map(\.id)))
        // The sheet follows: the approved sample is no longer waiting.
        let page = "\(Layout(root: d.root).contactSheet(batch: "planted"))/index.html"
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.5) {
            let html = (try? String(contentsOfFile: page, encoding: .utf8)) ?? ""
            return html.components(separatedBy: "class=\"card waiting\"").count == 1 && html.contains("approved · export")
        }, "the contact sheet still shows the approved sample waiting")
    }

    /// The batch's contact sheet: every asset, exceptions first, the commands to run; in a real
    /// browser every thumbnail loads and the page logs nothing. A damaged copy (a thumbnail gone,
    /// a script error) shows that the check can fail.
    func checkContactSheet(_ d: Daemon, batch: String, exceptions: Set<String>, total: Int) throws {
        let dir = Layout(root: d.root).contactSheet(batch: batch), page = "\(dir)/index.html"
        var html = ""
        XCTAssertTrue(waitUntil(timeout: 60, poll: 0.5) {
            html = (try? String(contentsOfFile: page, encoding: .utf8)) ?? ""
            return html.components(separatedBy: "class=\"card ").count - 1 == total
        }, "the contact sheet never listed all \(total) assets\n\(d.log.suffix(2000))")
        let ids = html.components(separatedBy: "class=\"card ").dropFirst().compactMap { card -> (String, String)? in
            guard let cls = card.split(separator: "\"").first, let idStart = card.range(of: "id=\"")?.upperBound,
                  let idEnd = card[idStart...].firstIndex(of: "\"") else { return nil }
            return (String(cls), String(card[idStart..<idEnd]))
        }
        XCTAssertEqual(Set(ids.prefix(exceptions.count).map(\.1)), exceptions, "exceptions come first")
        XCTAssertTrue(ids.prefix(exceptions.count).allSatisfy { $0.0 == "exception" })
        XCTAssertTrue(html.contains("pipectl approve \(batch)"))
        let oneException = try XCTUnwrap(exceptions.sorted().first)
        XCTAssertTrue(html.contains("pipectl reject \(oneException) --reason"), "each waiting asset has its commands")
        // The JPEG of all thumbnails follows once the batch has been quiet a while.
        XCTAssertTrue(waitUntil(timeout: 60, poll: 0.5) { FileManager.default.fileExists(atPath: "\(dir)/\(batch).jpg") }, d.log)
        let sheetJPEG = try Image.open("\(dir)/\(batch).jpg")
        XCTAssertGreaterThan(sheetJPEG.width, 10 * 240, "10 × 10 cells of 240 px for 100 assets")
        XCTAssertGreaterThan(sheetJPEG.height, 10 * 240)

        guard HeadlessBrowser.available else { return XCTFail("chromium is not installed (scripts/install-deps.sh --tests)") }
        let report = try HeadlessBrowser.load(page)
        print("measured: contact sheet in chromium: \(report.cards) cards, \(report.images) images, \(report.broken.count) broken, \(report.console.count) console messages")
        XCTAssertEqual(report.cards, total)
        XCTAssertEqual(report.images, total)
        XCTAssertEqual(report.broken, [])
        XCTAssertEqual(report.console, [])

        let damaged = NSTemporaryDirectory() + "pp-sheet-damaged-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: damaged) }
        try? FileManager.default.removeItem(atPath: damaged)
        try FileManager.default.copyItem(atPath: dir, toPath: damaged)
        try FileManager.default.removeItem(atPath: "\(damaged)/thumbs/\(oneException).jpg")
        try html.replacingOccurrences(of: "</body>", with: "<script>console.error('planted error')</script></body>")
            .write(toFile: "\(damaged)/index.html", atomically: true, encoding: .utf8)
        let bad = try HeadlessBrowser.load("\(damaged)/index.html")
        XCTAssertEqual(bad.broken, ["thumbs/\(oneException).jpg"])
        XCTAssertEqual(bad.console.count, 1, "\(bad.console)")
    }
}
