import Foundation
import PipelineCore
import XCTest

/// A reviewer in a real browser (headless chromium through Selenium, `workbench_browser.py`):
/// log in, approve the clean ones in one click, move with j/k, compare an exception's original and
/// master (toggle, slider, zoom to 100 % with z, drag to pan), reject an exception with a note
/// and a dragged box, and see a shot dropped meanwhile appear without a reload. Then the daemon's
/// own state is checked: files moved, the decisions carry her name, the crops she saw were made.
final class WorkbenchBrowserTests: XCTestCase {
    func testAReviewerDecidesInARealBrowserAndSeesNewShotsLive() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") else {
            return XCTFail("chromium-driver is not installed (scripts/install-deps.sh --tests)")
        }
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()
        let d = site.daemon
        let shots = try WorkbenchSite.shots()
        let ids = try site.drop(shots.dir, batch: "day-1", count: 6)
        let clean = shots.clean.compactMap { ids[$0] }.sorted()
        let exceptions = shots.exceptions.keys.sorted().compactMap { ids[$0] }
        XCTAssertEqual(clean.count, 4)
        let target = try XCTUnwrap(exceptions.first)
        let late = try WorkbenchSite.lateShot()

        let scratch = NSTemporaryDirectory() + "pp-browser-run-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let ready = "\(scratch)/ready"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/workbench_browser.py").path
        let note = "scratch across the label"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--base", "http://127.0.0.1:\(site.port)", "--user", "rita", "--password", WorkbenchSite.ritaPassword,
                       "--batch", "day-1", "--clean", clean.joined(separator: ","), "--reject", target, "--note", note,
                       "--ready-file", ready, "--live-timeout", "60"]
        let outPath = "\(scratch)/out.txt"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        p.standardError = out
        try p.run()
        func output() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

        // The script says when the page is open and waiting; the shot is dropped then.
        XCTAssertTrue(waitUntil(timeout: 300, poll: 0.2) { FileManager.default.fileExists(atPath: ready) || !p.isRunning },
                      "the browser script never got to the live-update step:\n\(output())")
        if FileManager.default.fileExists(atPath: ready) {
            let staging = "\(d.root)/.late-\(getpid())"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: late, toPath: "\(staging)/\((late as NSString).lastPathComponent)")
            try FileManager.default.createDirectory(atPath: "\(d.inbox)/day-1", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: "\(staging)/\((late as NSString).lastPathComponent)",
                                             toPath: "\(d.inbox)/day-1/\((late as NSString).lastPathComponent)")
        }
        XCTAssertTrue(waitUntil(timeout: 180, poll: 0.2) { !p.isRunning }, "the browser script did not finish:\n\(output())")
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let text = output()
        print("workbench_browser.py:\n\(text)")
        XCTAssertEqual(p.terminationStatus, 0, "the browser script failed:\n\(text)")
        let resultLine = try XCTUnwrap(text.split(separator: "\n").last { $0.hasPrefix("RESULT ") }, text)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(resultLine.dropFirst(7).utf8)) as? [String: Any])
        let appeared = try XCTUnwrap(result["new"] as? [String])

        // What the clicks did, in the daemon.
        XCTAssertTrue(waitUntil(timeout: 120, poll: 0.3) { Set(d.assets(in: .export)).isSuperset(of: clean) }, d.log)
        for id in clean {
            XCTAssertFalse(FileManager.default.fileExists(atPath: Layout(root: d.root).asset(id, in: .review)), id)
            XCTAssertEqual(try d.manifest(id, in: .export).review?.decidedBy, "rita", id)
        }
        XCTAssertEqual(d.assets(in: .failed), [target])
        let rejected = try d.manifest(target, in: .failed)
        XCTAssertEqual(rejected.review?.decidedBy, "rita")
        let mark = try XCTUnwrap(rejected.reviewNotes?.last)
        XCTAssertEqual(mark.by, "rita")
        XCTAssertEqual(mark.note, note)
        let box = try XCTUnwrap(mark.box, "the dragged box was not sent")
        let master = try XCTUnwrap(rejected.master)
        XCTAssertGreaterThan(box.w, 0)
        XCTAssertGreaterThan(box.h, 0)
        XCTAssertLessThanOrEqual(box.x + box.w, master.width, "the box is in master pixels, inside the master")
        XCTAssertLessThanOrEqual(box.y + box.h, master.height)
        // A drag over a quarter of the shown image each way: about a quarter of the master.
        XCTAssertEqual(Double(box.w) / Double(master.width), 0.25, accuracy: 0.12, "\(box) on \(master.width)x\(master.height)")
        XCTAssertEqual(Double(box.x) / Double(master.width), 0.25, accuracy: 0.12, "\(box)")
        // The other exception still waits; the late shot is the new article.
        XCTAssertTrue(d.assets(in: .review).contains(exceptions[1]))
        let lateName = (late as NSString).lastPathComponent
        let lateID = try XCTUnwrap(d.assets(in: .review).first { (try? d.manifest($0, in: .review))?.sourceName == lateName }, "\(d.assets(in: .review))")
        XCTAssertEqual(appeared, [lateID])

        // The two crops the zoom showed (at z, after the pan) were made by the daemon and cached.
        let compared = try XCTUnwrap(result["compared"] as? [String: Any], resultLine.description)
        let asset = try XCTUnwrap(compared["asset"] as? String)
        let crops = try XCTUnwrap(compared["crops"] as? [[Int]])
        XCTAssertEqual(crops.count, 2)
        XCTAssertNotEqual(crops.first, crops.last, "the pan asked for another spot")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: "\(d.root)/.work/previews/\(asset)")) ?? []
        for c in crops {
            XCTAssertTrue(cached.contains { $0.hasPrefix("crop-x\(c[0])-y\(c[1])-s512-") }, "crop \(c) not among \(cached)")
        }
    }
}
