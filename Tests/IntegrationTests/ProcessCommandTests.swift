import Foundation
import PipelineCore
import XCTest

/// `photopiped process`: the stages on a calibration batch without a daemon.
final class ProcessCommandTests: XCTestCase {
    func testCalibrationBatchWritesMasterMaskPreviewManifestAndSummary() throws {
        let src = try Fixtures.shots(count: 2, firstSku: 9601)
        let dir = NSTemporaryDirectory() + "pp-process-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(dir)/notes.jpg"))
        let files = Fixtures.files(in: src).map { "\(src)/\($0)" } + ["\(dir)/notes.jpg"]

        let r = shell(Daemon.photopiped, ["process"] + files + ["--out", "\(dir)/out", "--set", "retouch.shadow=none", "--quiet"])
        XCTAssertEqual(r.status, 1, "a file that failed makes the run fail: \(r.out) \(r.err)")
        XCTAssertTrue(r.out.contains("confidence"), r.out)
        for name in ["SKU-9601_01", "SKU-9601_02"] {
            for file in ["master.tif", "mask.png", "preview.jpg", "manifest.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/out/\(name)/\(file)"), "\(name)/\(file)")
            }
            let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/out/\(name)/manifest.json"))) as? [String: Any]
            let retouch = (m?["master"] as? [String: Any])?["retouch"] as? [String: Any]
            XCTAssertEqual(retouch?["shadow"] as? String, "none", "the --set override reached the stage")
            XCTAssertNotNil(retouch?["confidence"])
        }
        let summary = try String(contentsOfFile: "\(dir)/out/summary.tsv", encoding: .utf8)
        XCTAssertEqual(summary.split(separator: "\n").count, 4, summary)
        let bad = try XCTUnwrap(summary.split(separator: "\n").first { $0.hasPrefix("notes") })
        XCTAssertTrue(bad.contains("failed: not_an_image") || bad.contains("failed: unreadable"), String(bad))

        // An unknown key is refused before any work, naming the key.
        let refused = shell(Daemon.photopiped, ["process", files[0], "--out", "\(dir)/out2", "--set", "retouch.shadows=none"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("retouch.shadows"), refused.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/out2/summary.tsv"))
    }

    /// The daemon records what retouch measured in the asset's manifest.
    func testDaemonManifestCarriesTheRetouchMeasurements() throws {
        let daemon = try Daemon().start()
        defer { daemon.cleanUp() }
        let src = try Fixtures.shots(count: 1, firstSku: 9701)
        XCTAssertEqual(shell("/bin/cp", ["\(src)/SKU-9701_01.jpg", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .export).count == 1 }, daemon.log)
        let m = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .export).first), in: .export)
        let r = try XCTUnwrap(m.master?.retouch)
        XCTAssertEqual(r.flags, [])
        XCTAssertGreaterThan(r.confidence, 0.6)
        XCTAssertEqual(r.frame.productBox.count, 4)
        XCTAssertGreaterThan(r.frame.productLongSide, 100)
        XCTAssertEqual(r.shadow, "synthesise")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(daemon.root)/export/\(m.id)/mask.png"))
        XCTAssertEqual(m.review?.gates.first { $0.gate == "retouch" }?.passed, true)
    }
}
