import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// A full disk is a state: intake pauses with one message, nothing is lost or failed, and work
/// resumes by itself when space returns. The root is a small tmpfs, filled for real.
final class DiskFullTests: XCTestCase {
    var mounted: String?

    override func tearDown() {
        if let m = mounted { _ = shell("/bin/umount", ["-l", m]) }
    }

    /// Mounts a tmpfs of `mb` megabytes at the daemon's root; skips where the test may not mount.
    func smallRoot(_ d: Daemon, mb: Int) throws {
        try FileManager.default.createDirectory(atPath: d.root, withIntermediateDirectories: true)
        let r = shell("/bin/mount", ["-t", "tmpfs", "-o", "size=\(mb)m", "tmpfs", d.root])
        guard r.status == 0 else { throw XCTSkip("cannot mount a tmpfs here (\(r.err.trimmingCharacters(in: .whitespacesAndNewlines))); run as root") }
        mounted = d.root
    }

    /// Writes a file that leaves about `leave` bytes free.
    func fill(_ d: Daemon, leaving leave: UInt64) throws -> String {
        let free = try XCTUnwrap(DiskGuard.freeBytes(at: d.root))
        let path = "\(d.root)/filler"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(count: Int(free - min(free, leave)))))
        return path
    }

    func drop(_ d: Daemon, _ count: Int, batch: String) throws {
        let src = try Fixtures.shots(count: count)
        try FileManager.default.createDirectory(atPath: "\(d.inbox)/\(batch)", withIntermediateDirectories: true)
        for n in Fixtures.files(in: src) { _ = shell("/bin/cp", ["\(src)/\(n)", "\(d.inbox)/\(batch)/\(n)"]) }
    }

    func testBelowTheThresholdIntakePausesOnceAndResumesWhenSpaceReturns() throws {
        let d = try Daemon(config: "[limits]\nmin_free_mb = 16\n", workers: 1)
        defer { d.cleanUp() }
        try smallRoot(d, mb: 64)
        try d.start()
        let filler = try fill(d, leaving: 10 << 20)
        XCTAssertTrue(waitUntil(timeout: 5) { (try? d.status())?.diskFull != nil }, "status says the disk is full")
        let message = try XCTUnwrap(d.status().diskFull)
        XCTAssertTrue(message.contains("free under \(d.root)") && message.contains("min_free_mb = 16"), message)
        XCTAssertTrue(d.pipectl(["status"]).out.contains("DISK FULL:"), "pipectl status shows it")

        try drop(d, 4, batch: "full-disk")
        sleep(3)
        let s = try d.status()
        XCTAssertEqual(s.stages["export", default: 0] + s.stages["ingested", default: 0] + s.stages["failed", default: 0], 0,
                       "nothing is taken while the disk is full: \(s.stages)")
        XCTAssertEqual(s.stages["inbox"], 4, "the files wait in the inbox, counted")
        XCTAssertEqual(d.log.components(separatedBy: "disk full:").count - 1, 1, "said once, not in a loop:\n\(d.log)")

        try FileManager.default.removeItem(atPath: filler)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == 4 }, "work resumes by itself; \(String(describing: try? d.status().stages))")
        XCTAssertNil(try d.status().diskFull)
        XCTAssertTrue(d.log.contains("disk space is back"))
        XCTAssertEqual(d.assets(in: .failed), [])
        XCTAssertEqual(d.originals().count, 4, "every original kept")
        XCTAssertEqual(d.stop(), 0)
    }

    /// No threshold at all: a write that fails with ENOSPC puts the asset back, is reported as a
    /// full disk (never as a damaged file), and costs the asset no attempt.
    func testAWriteThatFindsNoSpaceIsAFullDiskNotADamagedFile() throws {
        let d = try Daemon(config: "[limits]\nmin_free_mb = 0\nmax_attempts = 1\n", workers: 1)
        defer { d.cleanUp() }
        try smallRoot(d, mb: 48)
        try d.start()
        // Room for the shots and their manifests, not for the masters retouch writes.
        let filler = try fill(d, leaving: 460 << 10)
        try drop(d, 3, batch: "enospc")
        XCTAssertTrue(waitUntil(timeout: 30) { (try? d.status())?.diskFull != nil },
                      "a failed write makes the disk full; \(String(describing: try? d.status())); log:\n\(d.log)")
        sleep(2)
        XCTAssertFalse(d.log.contains("decode_failed"), "not reported as a damaged file:\n\(d.log)")
        XCTAssertFalse(d.log.contains("probably truncated"))
        XCTAssertEqual(d.assets(in: .failed), [], "nothing failed for a full disk")
        let listed = try d.request(Request(command: .list)).assets ?? []
        let inbox = try d.status().stages["inbox", default: 0]
        XCTAssertEqual(listed.count + inbox, 3, "every asset is visible in list or the inbox: \(listed.map { "\($0.id) \($0.stage)" })")

        try FileManager.default.removeItem(atPath: filler)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == 3 }, "all finish once space returns; \(String(describing: try? d.status().stages))\n\(d.log)")
        XCTAssertEqual(d.assets(in: .failed), [])
        XCTAssertEqual(d.stop(), 0)
    }
}
