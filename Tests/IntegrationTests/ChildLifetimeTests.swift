import Foundation
import PipelineCore
import XCTest

/// No child outlives the daemon, and a worker whose supervisor is gone ends quietly.
final class ChildLifetimeTests: XCTestCase {
    var daemon: Daemon!
    override func tearDown() { daemon?.cleanUp() }

    /// Children of `pid` started by any of its threads.
    func allChildren(of pid: Int32) -> Set<Int32> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var out = Set<Int32>()
        for t in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/children", encoding: .utf8)) ?? ""
            for p in text.split(separator: " ") { if let n = Int32(p.trimmingCharacters(in: .whitespacesAndNewlines)) { out.insert(n) } }
        }
        return out
    }

    /// Running (not gone, not a zombie: PID 1 here does not reap orphans).
    func running(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// A /proc file read to its end (they report size 0, and maps runs to many pages).
    func readProcFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out = Data(), buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A zombie's wait status (field 52 of /proc/PID/stat); nil once it is gone.
    func zombieExitCode(_ pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.first == "Z", fields.count >= 50 else { return nil }
        return Int32(fields[49].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func cmdline(_ pid: Int32) -> String {
        let d = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: d.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Waits for a contact-sheet writer of the daemon and stops it (SIGSTOP) so it stays, once it
    /// is past its start-up (its parent-death signal is set before libvips loads its modules).
    func catchSheetWriter(timeout: Double = 60) -> Int32? {
        var found: Int32?
        _ = waitUntil(timeout: timeout, poll: 0.003) {
            for c in allChildren(of: daemon.pid) where cmdline(c).contains("contact-sheet") {
                kill(c, SIGSTOP)
                for _ in 0..<2000 {
                    guard running(c) else { break }
                    if readProcFile("/proc/\(c)/maps").contains("vips-modules") { found = c; return true }
                    kill(c, SIGCONT); usleep(1000); kill(c, SIGSTOP); usleep(200)
                }
                kill(c, SIGCONT)
            }
            return false
        }
        return found
    }

    /// kill -9 of the daemon, and assert every child it had ends within a few seconds.
    func killDaemonAndAssertChildrenEnd(_ kids: Set<Int32>, _ what: String) {
        XCTAssertFalse(kids.isEmpty, what)
        let t0 = Date()
        daemon.kill9()
        let ended = waitUntil(timeout: 5, poll: 0.02) { kids.allSatisfy { !self.running($0) } }
        let survivors = kids.filter(running).map { "\($0) \(cmdline($0))" }
        print("\(what): \(kids.count) children ended \(String(format: "%.3f", Date().timeIntervalSince(t0))) s after kill -9")
        XCTAssertTrue(ended, "\(what): survivors \(survivors)")
        for p in kids where running(p) { kill(p, SIGKILL) }
    }

    func testKill9LeavesNoChildWhetherWorkersAreIdleBusyOrASheetIsBeingWritten() throws {
        daemon = try Daemon(config: "[review]\nmin_long_side = 5000\n").start()
        // Idle workers.
        XCTAssertTrue(waitUntil(timeout: 10) { self.allChildren(of: self.daemon.pid).count == 2 })
        killDaemonAndAssertChildrenEnd(allChildren(of: daemon.pid), "idle workers")

        // Busy workers.
        try daemon.start()
        let src = try Fixtures.shots(count: 6, firstSku: 8201)
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/life"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.01) { ((try? self.daemon.status())?.workersBusy ?? 0) > 0 }, daemon.log)
        killDaemonAndAssertChildrenEnd(allChildren(of: daemon.pid), "busy workers")

        // A contact-sheet writer, stopped so it is surely there when the daemon dies.
        try daemon.start()
        XCTAssertTrue(waitUntil(timeout: 90) { !self.daemon.assets(in: .review).isEmpty }, daemon.log)
        let sheet = try XCTUnwrap(catchSheetWriter(), "no contact-sheet writer started; log:\n\(daemon.log.suffix(3000))")
        killDaemonAndAssertChildrenEnd(allChildren(of: daemon.pid).union([sheet]), "workers and a contact-sheet writer")
        // The kernel hangs up a stopped orphan anyway (SIGHUP): while it lingers as a zombie
        // (PID 1 here does not reap), its exit code shows the parent-death SIGKILL took it first.
        print("contact-sheet writer's wait status as a zombie: \(zombieExitCode(sheet).map(String.init) ?? "gone")")
        if let code = zombieExitCode(sheet) { XCTAssertEqual(code & 0x7f, SIGKILL, "the writer died of its parent-death signal") }

        XCTAssertFalse(daemon.log.contains("Fatal error"), daemon.log)
        XCTAssertFalse(daemon.log.contains("Crash"), daemon.log)
    }

    func testSigtermReapsTheSheetWriterAndTheWorkersBeforeExiting() throws {
        daemon = try Daemon(config: "[review]\nmin_long_side = 5000\n").start()
        let src = try Fixtures.shots(count: 3, firstSku: 8301)
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/term"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) { !self.daemon.assets(in: .review).isEmpty }, daemon.log)
        let sheet = try XCTUnwrap(catchSheetWriter(), "no contact-sheet writer started; log:\n\(daemon.log.suffix(3000))")
        let kids = allChildren(of: daemon.pid).union([sheet])
        XCTAssertGreaterThanOrEqual(kids.count, 3, "two workers and the writer")
        let t0 = Date()
        XCTAssertEqual(daemon.stop(timeout: 30), 0, daemon.log)
        print("SIGTERM with \(kids.count) children: daemon exited after \(String(format: "%.3f", Date().timeIntervalSince(t0))) s")
        // Reaped by the daemon itself: not even a zombie left behind.
        let left = kids.filter { FileManager.default.fileExists(atPath: "/proc/\($0)") }.map { "\($0) \(cmdline($0))" }
        XCTAssertEqual(left, [], "children still there when the daemon exited")
        XCTAssertTrue(daemon.log.contains("interrupted by the stop"), daemon.log)
        XCTAssertFalse(daemon.log.contains("Fatal error"), daemon.log)
    }

    /// A worker answering into a pipe nobody reads any more (its supervisor is gone) exits 0
    /// with one short line, instead of trapping in FileHandle.write. Started the way the daemon
    /// starts it: SIGPIPE ignored (python leaves it so across exec).
    func testAWorkerWhoseSupervisorIsGoneExitsQuietly() throws {
        let dir = NSTemporaryDirectory() + "pp-orphan-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let job = WorkerJob(seq: 1, step: .ingest, path: "\(dir)/missing.jpg", root: dir, settings: JobSettings(Config()))
        let e = JSONEncoder()
        e.dateEncodingStrategy = Timestamps.encoding
        try (e.encode(job) + Data("\n".utf8)).write(to: URL(fileURLWithPath: "\(dir)/job.json"))
        let r = shell("/usr/bin/python3", ["-c", """
            import os, subprocess, sys
            job = open(sys.argv[2], 'rb').read()
            w = subprocess.Popen([sys.argv[1], 'worker', '--memory-mb', '0'], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, restore_signals=False)
            w.stdout.close()            # the supervisor's end of the reply pipe is gone
            w.stdin.write(job); w.stdin.flush()
            err = w.stderr.read()
            w.stdin.close()
            sys.stdout.write('%d\\n' % w.wait()); sys.stdout.write(err.decode(errors='replace'))
            """, Daemon.photopiped, "\(dir)/job.json"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.first, "0", "the worker exits 0: \(r.out)")
        XCTAssertLessThanOrEqual(lines.count, 2, "at most one short line: \(r.out)")
        XCTAssertFalse(r.out.contains("Fatal error") || r.out.contains("Crash"), r.out)
        XCTAssertTrue(r.out.contains("supervisor is gone"), r.out)
    }
}
