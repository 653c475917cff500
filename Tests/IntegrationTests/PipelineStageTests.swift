import ControlProtocol
import Foundation
@testable import PhotopipeDaemon
import PipelineCore
import XCTest

/// The pipeline is one list: a stage inserted into it gets its queue, its claim directory, its
/// place in dispatch and reconcile, and shows in `status`, with no other change to the daemon.
final class PipelineStageTests: XCTestCase {
    let stamp = Step("stamp")
    let stamped = Queue("stamped")

    func testAStageInsertedIntoTheListRunsEndToEnd() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        let pipeline = Pipeline.standard.inserting(stamp, after: .retouch, fills: stamped, runs: .inline)
        XCTAssertEqual(pipeline.steps.map(\.rawValue), ["ingest", "retouch", "stamp", "generate", "review", "export"])
        XCTAssertEqual(pipeline.source(of: .generate), stamped, "the stage after the new one reads its queue")
        nonisolated(unsafe) var seen: [String] = []
        let handlers = StageHandlers.standard.adding(stamp) { _, m in
            seen.append(m.id)
            m.retouchOverrides = ["retouch.stamped=yes"]   // something only this stage writes
            return .init(destination: Queue("stamped"), note: "stamped by the test stage")
        }
        let config = try ConfigLoader.load(path: d.configPath)
        nonisolated(unsafe) let supervisor = try Supervisor(config: config, configPath: d.configPath, logger: .init(label: "test"),
                                        pipeline: pipeline, handlers: handlers, workerExecutable: Daemon.photopiped)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var exitCode: Int32 = -1
        let t = Thread {
            exitCode = (try? supervisor.run()) ?? -2
            finished.signal()
        }
        t.start()
        XCTAssertTrue(waitUntil(timeout: 20) { (try? d.status()) != nil }, "the in-process daemon answers on its socket")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(d.root)/stamped"), "the new stage's queue exists")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(d.root)/.work/stamp"), "and its claim directory")
        XCTAssertEqual(try d.status().stages["stamped"], 0, "status counts the new queue")

        let src = try Fixtures.shots(count: 3)
        let batch = "\(d.inbox)/stage-test"
        try FileManager.default.createDirectory(atPath: batch, withIntermediateDirectories: true)
        for n in Fixtures.files(in: src) { _ = shell("/bin/cp", ["\(src)/\(n)", "\(batch)/\(n)"]) }
        let done = waitUntil(timeout: 90) { d.assets(in: .export).count == 3 }
        XCTAssertTrue(done, "every asset reaches export; now: \(String(describing: try? d.status().stages))")

        for id in d.assets(in: .export) {
            let m = try d.manifest(id, in: .export)
            let steps = m.history.map(\.step)
            XCTAssertEqual(steps.filter { ["ingest", "retouch", "stamp", "generate", "review", "export"].contains($0) },
                           ["ingest", "retouch", "stamp", "generate", "review", "export"], "\(id) went through every stage in order")
            XCTAssertEqual(m.history.first { $0.step == "stamp" }?.to, "stamped")
            XCTAssertEqual(m.retouchOverrides, ["retouch.stamped=yes"], "the stage's own change reached the manifest")
        }
        XCTAssertEqual(Set(seen), Set(d.assets(in: .export)), "the stage ran once per asset")
        XCTAssertEqual(seen.count, 3)

        supervisor.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success, "run() returns after stop()")
        XCTAssertEqual(exitCode, 0)
    }

    /// A crash between stages leaves an asset claimed by the new stage: reconcile (derived from
    /// the same list) puts it back in the queue the new stage reads.
    func testReconcileReturnsAnAssetClaimedByAnInsertedStage() throws {
        let root = NSTemporaryDirectory() + "pp-stage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = Layout(root: root, pipeline: Pipeline.standard.inserting(stamp, after: .retouch, fills: stamped, runs: .inline))
        try layout.create()
        let claimed = layout.claimed("asset-1", by: stamp)
        try FileManager.default.createDirectory(atPath: claimed, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(claimed)/manifest.json"))
        let report = Reconciler(layout: layout).run()
        XCTAssertEqual(report.returnedAssets, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(layout.asset("asset-1", in: .retouched))/manifest.json"),
                      "back in the queue the stamp stage reads")
    }
}

/// `buildDaemon(config:root:clock:)` with a clock the test moves: a file in the inbox settles
/// when the daemon's clock says its quiet period is over, not before, however long the test waits.
final class DaemonClockTests: XCTestCase {
    func testSettlingFollowsTheDaemonsClock() throws {
        let d = try Daemon(settle: 5)
        defer { d.cleanUp() }
        let clock = ManualClock()
        let config = try ConfigLoader.load(path: d.configPath)
        nonisolated(unsafe) let daemon = try buildDaemon(config: config, root: d.root, clock: clock, configPath: d.configPath,
                                                         workerExecutable: Daemon.photopiped)
        let finished = DispatchSemaphore(value: 0)
        Thread { _ = try? daemon.run(); finished.signal() }.start()
        XCTAssertTrue(waitUntil(timeout: 20) { (try? d.status()) != nil })

        let src = try Fixtures.shots(count: 1)
        try FileManager.default.createDirectory(atPath: "\(d.inbox)/clock", withIntermediateDirectories: true)
        _ = shell("/bin/cp", ["\(src)/\(Fixtures.files(in: src)[0])", "\(d.inbox)/clock/"])
        sleep(7)   // longer than settle_seconds on the wall clock
        XCTAssertEqual(try d.status().stages["inbox"], 1, "still settling: the daemon's clock has not moved")
        XCTAssertEqual(d.assets(in: .export).count + d.assets(in: .ingested).count, 0)

        clock.advance(by: 6)
        XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == 1 }, "settled once the clock moved past the quiet period")
        daemon.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
    }
}

/// Start-up is one ordered list of phases; a phase that cannot start undoes those before it.
final class StartupPhaseTests: XCTestCase {
    func testThePhasesAreStatedInOrder() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        let daemon = try buildDaemon(config: try ConfigLoader.load(path: d.configPath), root: d.root, configPath: d.configPath,
                                     workerExecutable: Daemon.photopiped)
        XCTAssertEqual(daemon.phases.map(\.name),
                       ["root", "event log", "queues", "deliveries", "inbox", "control socket", "workbench", "signals", "workers", "contact sheets"])
    }

    func testASocketThatCannotBeMadeUndoesTheEarlierPhases() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        var config = try ConfigLoader.load(path: d.configPath)
        config.socketPath = "\(d.root)/\(String(repeating: "s", count: 120)).sock"
        let daemon = try buildDaemon(config: config, root: d.root, configPath: d.configPath, workerExecutable: Daemon.photopiped)
        XCTAssertThrowsError(try daemon.run(), "a socket path longer than sun_path cannot be bound")
        // The root phase was undone: its lock is free for the next daemon.
        let fd = open("\(d.root)/.lock", O_RDWR)
        defer { close(fd) }
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0, "the root lock was released")
        XCTAssertTrue(WorkerProcess.waitForAllToExit(timeout: 1) == 0, "no worker was started")
    }
}
