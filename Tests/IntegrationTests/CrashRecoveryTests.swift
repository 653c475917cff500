import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// kill -9 at any moment, SIGTERM, and workers that crash or hang: nothing is lost or done twice.
final class CrashRecoveryTests: XCTestCase {
    var daemon: Daemon!
    override func tearDown() { daemon?.cleanUp() }

    func testKill9RepeatedlyDuringA50ImageBatch() throws {
        let src = try Fixtures.shots(count: 50, width: 1000, height: 700, firstSku: 5001)
        let names = Fixtures.files(in: src)
        daemon = try Daemon().start()
        let copier = Process()
        copier.executableURL = URL(fileURLWithPath: "/usr/bin/rsync")
        copier.arguments = ["-a", "--bwlimit=4000", "\(src)/", "\(daemon.inbox)/crash-shoot/"]
        try copier.run()
        var kills = 0
        for delay in [0.7, 1.1, 0.5, 1.6, 0.9, 1.3] {
            usleep(UInt32(delay * 1_000_000))
            daemon.kill9()
            kills += 1
            try daemon.start()
        }
        copier.waitUntilExit()
        XCTAssertEqual(copier.terminationStatus, 0)
        let done = waitUntil(timeout: 240) { self.daemon.exported().count >= names.count && self.daemon.assets(in: .export).count >= names.count }
        XCTAssertTrue(done, "exported \(daemon.exported().count)/\(names.count) after \(kills) kills; log:\n\(daemon.log.suffix(4000))")
        usleep(500_000)
        XCTAssertEqual(daemon.exported(), names, "every image exported exactly once")
        XCTAssertEqual(daemon.assets(in: .export).count, names.count)
        XCTAssertEqual(daemon.assets(in: .failed), [])
        let originals = daemon.originals()
        XCTAssertEqual(originals.count, names.count, "one original per image")
        for n in names { XCTAssertEqual(originals["crash-shoot/\(n)"], Fixtures.sha("\(src)/\(n)"), n) }
        let work = Layout(root: daemon.root).work
        for step in Pipeline.standard.steps {
            XCTAssertEqual(Fixtures.files(in: "\(work)/\(step.rawValue)").filter { !$0.isEmpty && step != .ingest }, [], "nothing left claimed")
        }
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testSigtermFinishesInFlightWorkAndExitsZero() throws {
        let src = try Fixtures.shots(count: 6)
        daemon = try Daemon().start()
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/term-shoot"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 30) { ((try? self.daemon.status())?.workersBusy ?? 0) > 0 || self.daemon.exported().count > 0 })
        XCTAssertEqual(daemon.stop(timeout: 60), 0, daemon.log)
        XCTAssertTrue(daemon.log.contains("stopping"))
        try daemon.start()
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported().count == 6 && self.daemon.assets(in: .export).count == 6 }, daemon.log)
        XCTAssertEqual(daemon.exported(), Fixtures.files(in: src))
    }

    /// A worker killed by a signal is replaced, the attempt counted, and the asset retried.
    func testCrashedWorkerIsReplacedAndTheAssetRetried() throws {
        daemon = try Daemon().start()
        let src = try Fixtures.shots(count: 1, firstSku: 7001)
        let name = Fixtures.files(in: src)[0]
        let before = children(of: daemon.pid)
        XCTAssertFalse(before.isEmpty)
        for w in before { kill(w, SIGSTOP) }
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(daemon.inbox)/"]).status, 0)
        // The job reaches a stopped worker; it then dies of SIGSEGV when it runs again.
        XCTAssertTrue(waitUntil(timeout: 20) { ((try? self.daemon.status())?.workersBusy ?? 0) > 0 })
        for w in before { kill(w, SIGSEGV); kill(w, SIGCONT) }
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported() == [name] && self.daemon.assets(in: .export).count == 1 }, daemon.log)
        let id = try XCTUnwrap(daemon.assets(in: .export).first)
        XCTAssertEqual(try daemon.manifest(id, in: .export).attempts["ingest"], 2)
        XCTAssertTrue(daemon.log.contains("SIGSEGV"), daemon.log)
        XCTAssertTrue(Set(children(of: daemon.pid)).isDisjoint(with: before), "the crashed worker was replaced")
    }

    /// A worker that hangs past the per-asset timeout is killed; after max_attempts the asset is failed with a reason.
    func testHangingWorkerTimesOutAndTheAssetFails() throws {
        daemon = try Daemon(config: "[limits]\nasset_timeout_seconds = 1.5\nmax_attempts = 2\n").start()
        let src = try Fixtures.shots(count: 2, firstSku: 7101)
        let (hung, good) = (Fixtures.files(in: src)[0], Fixtures.files(in: src)[1])
        var stopped = Set<Int32>()
        func stopAllWorkers() { for w in children(of: daemon.pid) where !stopped.contains(w) { kill(w, SIGSTOP); stopped.insert(w) } }
        stopAllWorkers()
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(hung)", "\(daemon.inbox)/"]).status, 0)
        let failed = waitUntil(timeout: 60, poll: 0.01) {
            stopAllWorkers() // every replacement worker hangs too
            return !self.daemon.assets(in: .failed).isEmpty
        }
        XCTAssertTrue(failed, daemon.log)
        for w in children(of: daemon.pid) { kill(w, SIGCONT) }
        let id = try XCTUnwrap(daemon.assets(in: .failed).first)
        let error = try JSONDecoder().decode([String: JSONValue].self,
                                             from: Data(contentsOf: URL(fileURLWithPath: "\(daemon.root)/failed/\(id)/error.json")))
        XCTAssertEqual(error["code"], .string("timeout"))
        XCTAssertEqual(error["attempts"], .number(2))
        XCTAssertEqual(error["step"], .string("ingest"))
        XCTAssertEqual(daemon.originals()["\(InboxFilter.dayBatch(Date()))/\(hung)"], Fixtures.sha("\(src)/\(hung)"), "the original is kept")
        // The daemon keeps going.
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(good)", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported() == [good] && self.daemon.assets(in: .export).count == 1 }, daemon.log)
    }
}
