import ControlProtocol
import Foundation
import Imaging
import PipelineCore
import XCTest

/// The real `photopiped` binary on a temporary root, as a studio would run it.
final class Daemon {
    static let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    static var photopiped: String { "\(binDir)/photopiped" }
    static var pipectl: String { "\(binDir)/pipectl" }

    let base: String
    let root: String
    let socket: String
    let configPath: String
    let logPath: String
    private(set) var process: Process?
    /// Extra environment for the daemon (NOTIFY_SOCKET, WATCHDOG_USEC…).
    var environment: [String: String] = [:]

    /// `daemonKeys`: extra lines for the `[daemon]` table (socket_group…).
    init(config: String = "", settle: Double = 0.3, workers: Int = 2, daemonKeys: String = "") throws {
        base = NSTemporaryDirectory() + "pp-it-\(UUID().uuidString.prefix(8))"
        root = "\(base)/root"
        socket = "\(base)/ctl.sock"
        configPath = "\(base)/photopipe.toml"
        logPath = "\(base)/daemon.log"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // No statistical sample unless a test asks for one: most tests wait for every asset in export/.
        var config = config
        if !config.contains("sample_rate") {
            config = config.contains("[review]\n") ? config.replacingOccurrences(of: "[review]\n", with: "[review]\nsample_rate = 0\n")
                                                   : config + "\n[review]\nsample_rate = 0\n"   // after: line numbers stay
        }
        // The workbench only where a test asks for it: otherwise every daemon would try 127.0.0.1:8088.
        if !config.contains("[web]\n") { config += "\n[web]\nlisten = \"off\"\n" }
        let text = "root = \"\(root)\"\n" + "[daemon]\nsocket = \"\(socket)\"\nworkers = \(workers)\n\(daemonKeys)" + "[watch]\nsettle_seconds = \(settle)\n" + config
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var inbox: String { "\(root)/inbox" }

    /// Sample shots synced into `inbox/shoot/` by rsync, as a tether station's sync would; rsync's exit status.
    func rsyncShots(count: Int, firstSku: Int) throws -> Int32 {
        let src = try Fixtures.shots(count: count, firstSku: firstSku)
        return shell("/usr/bin/rsync", ["-a", "\(src)/", "\(inbox)/shoot/"]).status
    }
    var pid: Int32 { process?.processIdentifier ?? 0 }

    @discardableResult
    func start(file: StaticString = #filePath, line: UInt = #line) throws -> Daemon {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Daemon.photopiped)
        p.arguments = ["run", "--config", configPath]
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        let ok = waitUntil(timeout: 20) { (try? self.status()) != nil }
        XCTAssertTrue(ok, "daemon did not come up; log:\n\(self.log)", file: file, line: line)
        return self
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func kill9() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    /// SIGTERM; returns the exit status.
    func stop(timeout: Double = 60) -> Int32 {
        guard let p = process else { return -1 }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit(); process = nil; return -9 }
        process = nil
        return p.terminationStatus
    }

    func cleanUp() {
        if process != nil { kill9() }
        try? FileManager.default.removeItem(atPath: base)
    }

    func status() throws -> StatusReport {
        let r = try ControlClient.send(Request(command: .status), socketPath: socket, timeout: 5)
        guard let s = r.status else { throw ControlClientError(description: r.error ?? "no status") }
        return s
    }

    func request(_ r: Request) throws -> Response { try ControlClient.send(r, socketPath: socket, timeout: 10) }

    /// Runs pipectl against this daemon.
    func pipectl(_ args: [String]) -> (status: Int32, out: String, err: String) {
        shell(Daemon.pipectl, args + ["--socket", socket])
    }

    /// Asset directories in a queue (not counting export/<channel>/ folders).
    func assets(in queue: Queue) -> [String] { Layout(root: root).assets(in: queue) }

    func manifest(_ id: String, in queue: Queue) throws -> Manifest {
        try ManifestStore.read(assetDir: Layout(root: root).asset(id, in: queue))
    }

    /// The image files in export/<channel>/ (not the batch manifests and CSVs beside them).
    func exported(channel: String = "default") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/export/\(channel)")) ?? [])
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".manifest.json") && !$0.hasSuffix(".csv") }.sorted()
    }

    /// Every original under originals/, "batch/name" → sha256.
    func originals() -> [String: String] {
        var out: [String: String] = [:]
        let base = "\(root)/originals"
        for batch in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where !batch.hasPrefix(".") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(base)/\(batch)")) ?? [] {
                out["\(batch)/\(name)"] = try? FileDigest.of("\(base)/\(batch)/\(name)").sha256
            }
        }
        return out
    }
}

@discardableResult
func shell(_ exe: String, _ args: [String]) -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do { try p.run() } catch { return (-1, "", "\(error)") }
    // Both pipes drained at once: a program that fills one while the other is read would hang.
    nonisolated(unsafe) var e = Data()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func waitUntil(timeout: Double, poll: Double = 0.05, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(UInt32(poll * 1_000_000))
    }
    return condition()
}

/// Child processes of `pid` (the daemon's workers).
func children(of pid: Int32) -> [Int32] {
    let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
}
