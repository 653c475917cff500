import Foundation
import PipelineCore
import XCTest

/// A `command` generator never outlives its worker: kill -9 of the worker mid-variant takes the
/// command and what the command started with it.
final class GeneratorChildLifetimeTests: XCTestCase {
    func testKill9OfTheWorkerEndsTheGeneratorCommandAndItsChildren() throws {
        let base = NSTemporaryDirectory() + "pp-genlife-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        // The script records itself and the sleep it starts once per attempt; only the first counts.
        let script = "\(base)/slow.sh"
        try Data("""
        #!/bin/sh
        [ -e '\(base)/sleep.pid' ] && exec sleep 60
        sleep 60 &
        echo $! > '\(base)/sleep.pid.tmp'
        echo $$ > '\(base)/command.pid'
        mv '\(base)/sleep.pid.tmp' '\(base)/sleep.pid'
        wait
        """.utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        let daemon = try Daemon(config: """
        [generate.rule.slow]
        generator = "command"
        command = "\(script)"
        prompt = "{sku}"
        attempts = 1
        timeout_seconds = 90
        """)
        defer { daemon.cleanUp() }
        try daemon.start()
        XCTAssertEqual(try daemon.rsyncShots(count: 1, firstSku: 7301), 0)
        XCTAssertTrue(waitUntil(timeout: 90) { FileManager.default.fileExists(atPath: "\(base)/sleep.pid") }, "the generator started\n" + daemon.log)

        let command = try pid(in: "\(base)/command.pid"), sleeper = try pid(in: "\(base)/sleep.pid")
        // Up from the command to its worker, the daemon's child; what lies between (the guard, a fork
        // of the worker) must go too.
        var between: [Int32] = [], worker = try XCTUnwrap(parent(of: command))
        while let up = parent(of: worker), up != daemon.pid, up > 1 { between.append(worker); worker = up }
        XCTAssertEqual(parent(of: worker), daemon.pid)
        XCTAssertTrue(cmdline(worker).contains(" worker"), "the command runs under a worker: \(cmdline(worker))")
        let children = [command, sleeper] + between
        XCTAssertTrue(running(command) && running(sleeper))
        let killed = Date()
        XCTAssertEqual(kill(worker, SIGKILL), 0)
        let ended = waitUntil(timeout: 5, poll: 0.02) { !children.contains(where: self.running) }
        print("measured: generator command, its sleep and \(between.count) guard(s) ended \(String(format: "%.3f", Date().timeIntervalSince(killed))) s after kill -9 of the worker")
        let survivors = children.filter(running).map { "\($0) \(cmdline($0))" }
        for p in children where running(p) { kill(p, SIGKILL) }
        XCTAssertTrue(ended, "survivors: \(survivors)")
        XCTAssertTrue(running(daemon.pid), "the daemon lives on")
    }

    func pid(in file: String) throws -> Int32 {
        try XCTUnwrap(Int32(String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Field 4 of /proc/PID/stat.
    func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ").dropFirst().first.flatMap { Int32($0) }
    }

    /// Running (not gone, not a zombie: PID 1 here does not reap orphans).
    func running(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    func cmdline(_ pid: Int32) -> String {
        let d = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: d.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
}
