import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// Hostile and broken files each end in failed/ with a reason; the original is kept and good files still flow.
final class BadInputTests: XCTestCase {
    var daemon: Daemon!
    override func tearDown() { daemon?.cleanUp() }

    func testBrokenFilesFailWithReasonsAndGoodOnesStillExport() throws {
        daemon = try Daemon().start()
        let src = try Fixtures.shots(count: 3, firstSku: 8001)
        let good = Fixtures.files(in: src)
        let full = try Data(contentsOf: URL(fileURLWithPath: "\(src)/\(good[0])"))
        let staging = "\(daemon.base)/bad"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let bad: [String: Data] = [
            "TRUNC-1_01.jpg": full.prefix(full.count * 2 / 5),
            "TEXT-1_01.jpg": Data("this is a purchase order, not a photo\n".utf8),
            "EMPTY-1_01.jpg": Data(),
            "BOMB-1_01.png": Fixtures.pngBomb(width: 100_000, height: 100_000),
        ]
        for (name, data) in bad { try data.write(to: URL(fileURLWithPath: "\(staging)/\(name)")) }
        for n in good { XCTAssertEqual(shell("/bin/cp", ["\(src)/\(n)", staging]).status, 0) }
        XCTAssertEqual(shell("/bin/mv", [staging, "\(daemon.inbox)/mixed"]).status, 0)

        let settled = waitUntil(timeout: 90) {
            self.daemon.assets(in: .failed).count == bad.count && self.daemon.exported().count == good.count && self.daemon.assets(in: .export).count == good.count
        }
        XCTAssertTrue(settled, "failed \(daemon.assets(in: .failed)), exported \(daemon.exported()); log:\n\(daemon.log)")
        XCTAssertEqual(daemon.exported(), good)

        var codes: [String: String] = [:]
        for id in daemon.assets(in: .failed) {
            let m = try daemon.manifest(id, in: .failed)
            let errorFile = "\(daemon.root)/failed/\(id)/error.json"
            let e = try ManifestStore.decoder().decode(FailureRecord.self, from: Data(contentsOf: URL(fileURLWithPath: errorFile)))
            XCTAssertFalse(e.message.isEmpty)
            XCTAssertGreaterThan(e.message.count, 30, "a sentence a person can act on: \(e.message)")
            codes[m.sourceName] = e.code
            // The original is kept, byte for byte.
            XCTAssertEqual(Fixtures.sha("\(daemon.root)/\(m.original)"), Fixtures.sha256(bad[m.sourceName]!), m.sourceName)
        }
        XCTAssertEqual(codes, ["TRUNC-1_01.jpg": "decode_failed", "TEXT-1_01.jpg": "not_an_image",
                               "EMPTY-1_01.jpg": "empty_file", "BOMB-1_01.png": "pixel_limit"])
        let status = try daemon.status()
        XCTAssertEqual(status.stages["failed"], 4)
        XCTAssertNotNil(status.lastError)
    }

    func testExceptionWaitsForAPersonAndApproveExportsIt() throws {
        // A master smaller than review.min_long_side is an exception for a person, not a failure.
        daemon = try Daemon(config: "[review]\nmin_long_side = 5000\n").start()
        let src = try Fixtures.shots(count: 1, firstSku: 8101)
        let name = Fixtures.files(in: src)[0]
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.assets(in: .review).count == 1 }, daemon.log)
        let id = try XCTUnwrap(daemon.assets(in: .review).first)
        let m = try daemon.manifest(id, in: .review)
        XCTAssertEqual(m.review?.status, .exception)
        XCTAssertEqual(m.review?.gates.first?.passed, false)
        XCTAssertTrue(daemon.exported().isEmpty)
        // A person approves it.
        let r = daemon.pipectl(["approve", id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported() == [name] && self.daemon.assets(in: .export).count == 1 }, daemon.log)
        XCTAssertEqual(try daemon.manifest(id, in: .export).review?.status, .approved)
    }
}

extension Fixtures {
    static func sha256(_ data: Data) -> String {
        let path = NSTemporaryDirectory() + "pp-sha-\(UUID().uuidString)"
        try? data.write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        return sha(path)
    }
}

final class MemoryLimitTests: XCTestCase {
    /// A worker capped below what a 24 MP frame needs fails that asset with a reason; raising the
    /// cap with a reload and retrying takes it through.
    func testWorkerOverItsMemoryLimitFailsTheAssetThenARaisedLimitTakesItThrough() throws {
        // The cap is on address space: an idle worker maps ~220 MB; 24 MP of pixels need ~70 MB more.
        let daemon = try Daemon(config: "[limits]\nworker_memory_mb = 300\n")
        defer { daemon.cleanUp() }
        try daemon.start()
        let big = try Fixtures.shots(count: 1, width: 6000, height: 4000, firstSku: 8201)
        XCTAssertEqual(shell("/bin/cp", ["\(big)/\(Fixtures.files(in: big)[0])", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .failed).count == 1 }, daemon.log)
        let id = try XCTUnwrap(daemon.assets(in: .failed).first)
        let m = try daemon.manifest(id, in: .failed)
        // libvips reports the failed allocation (memory_limit); GLib may instead abort the worker,
        // which is then replaced and the attempts counted (worker_crashed). Either way: failed, with a reason.
        switch m.error?.code {
        case "memory_limit": XCTAssertTrue(m.error?.message.contains("limits.worker_memory_mb = 300") ?? false)
        case "worker_crashed": XCTAssertEqual(m.error?.attempts, 3)
        default: XCTFail("unexpected failure: \(String(describing: m.error))")
        }
        XCTAssertNoThrow(try daemon.status(), "the daemon keeps running")

        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "worker_memory_mb = 300", with: "worker_memory_mb = 4096")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(daemon.pipectl(["reload"]).status, 0)
        XCTAssertEqual(daemon.pipectl(["retry", id]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .export).count == 1 }, daemon.log)
    }
}
