import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// pipectl and raw clients against the running daemon.
final class ControlTests: XCTestCase {
    var daemon: Daemon!
    override func tearDown() { daemon?.cleanUp() }

    func testStatusListShowAsTablesAndJSON() throws {
        daemon = try Daemon().start()
        let src = try Fixtures.shots(count: 3, firstSku: 9001)
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/ctl-shoot"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported().count == 3 && self.daemon.assets(in: .export).count == 3 }, daemon.log)

        let table = daemon.pipectl(["status"])
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertTrue(table.out.contains("photopiped 0.1.0"), table.out)
        XCTAssertTrue(table.out.range(of: #"export\s+3"#, options: .regularExpression) != nil, table.out)
        XCTAssertTrue(table.out.contains("workers: 0 busy, 2 idle"), table.out)

        let json = daemon.pipectl(["status", "--json"])
        let resp = try ControlCoding.decoder().decode(Response.self, from: Data(json.out.utf8))
        XCTAssertEqual(resp.version, controlProtocolVersion)
        XCTAssertEqual(resp.status?.stages["export"], 3)
        XCTAssertEqual(resp.status?.processed, 3)
        XCTAssertEqual(resp.status?.paused, false)

        let list = daemon.pipectl(["list", "export", "--batch", "ctl-shoot"])
        XCTAssertEqual(list.status, 0)
        XCTAssertEqual(list.out.split(separator: "\n").count, 4, list.out) // header + 3
        XCTAssertTrue(list.out.contains("SKU-9001"))
        XCTAssertEqual(daemon.pipectl(["list", "export", "--batch", "other"]).out, "no assets\n")
        let badStage = daemon.pipectl(["list", "nowhere"])
        XCTAssertEqual(badStage.status, 1)
        XCTAssertTrue(badStage.err.contains("unknown stage"), badStage.err)

        let batches = daemon.pipectl(["batches"])
        XCTAssertEqual(batches.status, 0, batches.err)
        XCTAssertTrue(batches.out.range(of: #"ctl-shoot\s+3\s+yes"#, options: .regularExpression) != nil, batches.out)
        XCTAssertTrue(batches.out.contains("export 3"), batches.out)
        let batchJSON = try ControlCoding.decoder().decode(Response.self, from: Data(daemon.pipectl(["batches", "--json"]).out.utf8))
        XCTAssertEqual(batchJSON.batches?.map(\.name), ["ctl-shoot"])
        XCTAssertEqual(batchJSON.batches?.first?.complete, true)

        let id = try XCTUnwrap(daemon.assets(in: .export).first)
        let show = daemon.pipectl(["show", id, "--json"])
        XCTAssertEqual(show.status, 0)
        let detail = try ControlCoding.decoder().decode(Response.self, from: Data(show.out.utf8)).detail
        XCTAssertEqual(detail?["stage"], .string("export"))
        XCTAssertEqual(detail?["manifest"]?["id"], .string(id))
        guard case .array(let history)? = detail?["manifest"]?["history"] else { return XCTFail("no history") }
        XCTAssertEqual(history.compactMap { $0["step"] }, ["ingest", "retouch", "generate", "review", "export"].map { .string($0) })
        XCTAssertEqual(daemon.pipectl(["show", "../../etc/passwd"]).status, 1)

        // For a person: by the file name it came from, in words, not 200 lines of JSON.
        let m = try daemon.manifest(id, in: .export)
        let stem = (m.sourceName as NSString).deletingPathExtension
        let text = daemon.pipectl(["show", stem])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.hasPrefix("\(id)\n"), text.out)
        XCTAssertTrue(text.out.contains("  stage:    export"), text.out)
        XCTAssertTrue(text.out.contains("  files:\n    default: export/default/"), text.out)
        XCTAssertTrue(text.out.contains("pipectl show \(id) --json"), text.out)
        XCTAssertLessThan(text.out.split(separator: "\n").count, 40, text.out)
        let ambiguous = daemon.pipectl(["show", "SKU-900"])
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(ambiguous.err.contains("could be 3 assets"), ambiguous.err)
    }

    func testPauseResumeReloadAndRetry() throws {
        daemon = try Daemon(config: "[review]\nmin_long_side = 5000\n").start()
        XCTAssertEqual(daemon.pipectl(["pause"]).status, 0)
        let src = try Fixtures.shots(count: 1, firstSku: 9101)
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/p"]).status, 0)
        usleep(1_500_000)
        XCTAssertTrue(try daemon.status().paused)
        XCTAssertEqual(daemon.assets(in: .ingested).count + daemon.assets(in: .export).count, 0, "nothing starts while paused")
        XCTAssertEqual(daemon.pipectl(["resume"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.assets(in: .review).count == 1 }, daemon.log)
        let id = try XCTUnwrap(daemon.assets(in: .review).first)

        // A bad config is refused by reload, naming key and line, and the daemon keeps its config.
        let good = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (good + "[export]\nqualty = 80\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let refused = daemon.pipectl(["reload"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("export.qualty") && refused.err.contains("line"), refused.err)

        // A good one is taken; retry rebuilds the asset under the new gate.
        try good.replacingOccurrences(of: "min_long_side = 5000", with: "min_long_side = 500")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(daemon.pipectl(["reload"]).status, 0)
        let retry = daemon.pipectl(["retry", id])
        XCTAssertEqual(retry.status, 0, retry.err)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported().count == 1 && self.daemon.assets(in: .export).count == 1 }, daemon.log)
        let m = try daemon.manifest(id, in: .export)
        XCTAssertEqual(m.review?.status, .autoApproved)
        XCTAssertTrue(m.history.contains { $0.step == "retry" })
    }

    func testMalformedAndHostileRequestsGetErrorsAndTheServerLives() throws {
        daemon = try Daemon().start()
        func raw(_ payload: Data, readReply: Bool = true) -> String {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            _ = UnixAddress.with(daemon.socket) { connect(fd, $0, $1) }
            _ = payload.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            guard readReply else { return "" }
            var tv = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &buf, buf.count)
            return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : ""
        }
        XCTAssertTrue(raw(Data("this is not json\n".utf8)).contains("malformed request"))
        XCTAssertTrue(raw(Data(#"{"version":1,"command":"format-disk"}"#.utf8) + Data("\n".utf8)).contains(#""ok":false"#))
        XCTAssertTrue(raw(Data(#"{"version":99,"command":"status"}"#.utf8) + Data("\n".utf8)).contains("version 99 is not supported"))
        XCTAssertTrue(raw(Data(repeating: 0x41, count: 200_000)).contains("request too large"))
        XCTAssertTrue(raw(Data([0xff, 0xfe, 0x00, 0x0a])).contains(#""ok":false"#))
        // A client that connects and says nothing does not block others.
        let silent = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        XCTAssertEqual(try daemon.status().version, "0.1.0")
        XCTAssertEqual(daemon.pipectl(["status"]).status, 0)
    }

    func testPipectlWithoutADaemonSaysSoInOneSentence() {
        let r = shell(Daemon.pipectl, ["status", "--socket", "/tmp/pp-no-such-\(UUID().uuidString).sock"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("photopiped is not running"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1)
    }

    func testBadConfigIsRefusedAtStartWithKeyAndLine() throws {
        let d = try Daemon(config: "[limits]\nmax_pixels = \"lots\"\n")
        defer { d.cleanUp() }
        let r = shell(Daemon.photopiped, ["run", "--config", d.configPath])
        XCTAssertEqual(r.status, 78)
        XCTAssertTrue(r.err.contains("limits.max_pixels") && r.err.contains("line 8"), r.err)
        let check = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(check.status, 78)
        let empty = NSTemporaryDirectory() + "pp-empty-\(UUID().uuidString).toml"
        FileManager.default.createFile(atPath: empty, contents: Data())
        defer { unlink(empty) }
        XCTAssertEqual(shell(Daemon.photopiped, ["check-config", empty]).status, 0, "an empty file is a valid config")
    }
}

final class SingleInstanceTests: XCTestCase {
    func testASecondDaemonOnTheSameRootIsRefused() throws {
        let first = try Daemon()
        defer { first.cleanUp() }
        try first.start()
        let second = shell(Daemon.photopiped, ["run", "--config", first.configPath, "--socket", "\(first.base)/other.sock"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.err.contains("another photopiped is already running"), second.err)
        XCTAssertNoThrow(try first.status(), "the first daemon is untouched")
    }
}
