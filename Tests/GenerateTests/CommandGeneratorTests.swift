import Foundation
import Generate
import Imaging
import PipelineCore
import Review
import XCTest

/// The `command` generator: small scripts written by the tests play generators that work, fail and hang.
final class CommandGeneratorTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try ExternalFixtures.scratch() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func script(_ name: String, _ body: String) throws -> String {
        let path = "\(dir)/\(name)"
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    func run(_ command: String, attempts: Int = 1, timeout: Double = 5, sleeps: inout [Double]) throws -> GeneratedRecord {
        let product = try ExternalFixtures.tin()
        var rule = ExternalFixtures.rule(.command, attempts: attempts, timeout: timeout)
        rule.command = command
        let out = "\(dir)/variant"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var slept: [Double] = []
        defer { sleeps = slept }
        return try ExternalVariant.make(product, rule: rule, request: try ExternalFixtures.request(product), in: out, sleep: { slept.append($0) })
    }

    func testACommandThatWritesOutputPNGMakesAVariant() throws {
        // Returns the canvas as it got it, and keeps what it was asked.
        let command = try script("echo.sh", "cp \"$1\" '\(dir)/seen.json' && cp input.png output.png && echo done")
        var sleeps: [Double] = []
        let record = try run(command, sleeps: &sleeps)
        XCTAssertEqual(record.generator, "command")
        XCTAssertEqual(ProductFidelity.failures(record.fidelity), [], "\(record.fidelity)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/variant/\(VariantOutput.sceneFile)"))
        let request = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/seen.json"))) as? [String: Any])
        XCTAssertEqual(request["sku"] as? String, "TIN-1")
        XCTAssertEqual(request["prompt"] as? String, "Red tin on a kitchen counter")
        XCTAssertEqual(request["width"] as? Int, ExternalFixtures.side)
        XCTAssertEqual(request["seed"] as? Int, 42)
        XCTAssertEqual(request["input"] as? String, "input.png")
        XCTAssertEqual((request["placement"] as? [String: Any])?["offset_x"] as? Int, 40)
        XCTAssertEqual((request["catalog"] as? [String: String])?["title"], "Red tin")
    }

    func testAFailingCommandIsRetriedThenGivenUpWithItsStderr() throws {
        let command = try script("fail.sh", "echo 'loading model' >&2\necho 'model weights not found' >&2\nexit 3")
        var sleeps: [Double] = []
        XCTAssertThrowsError(try run(command, attempts: 2, sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.attempts, 2)
            XCTAssertEqual(gaveUp?.code, "command_failed")
            XCTAssertTrue(gaveUp?.message.contains("exited with status 3; stderr: loading model | model weights not found") == true, gaveUp?.message ?? "")
        }
        XCTAssertEqual(sleeps, [0.05])
    }

    func testAHangingCommandIsKilledWithEverythingItStarted() throws {
        let command = try script("hang.sh", "sleep 30 &\necho $! > '\(dir)/child.pid'\nwait")
        var sleeps: [Double] = []
        let started = Date()
        XCTAssertThrowsError(try run(command, timeout: 0.5, sleeps: &sleeps)) { error in
            XCTAssertEqual((error as? ExternalVariant.GaveUp)?.code, "timeout", "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        let child = try XCTUnwrap(Int32(String(contentsOfFile: "\(dir)/child.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(gone(child), "the command's own child went with its process group")
    }

    func testACommandThatCannotStartIsNotRetriedAndOneKilledBySignalSaysWhich() throws {
        var sleeps: [Double] = []
        XCTAssertThrowsError(try run("\(dir)/no-such-generator", attempts: 3, sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.code, "cannot_run")
            XCTAssertEqual(gaveUp?.attempts, 1, "starting it again would fail the same way")
            XCTAssertTrue(gaveUp?.message.contains("No such file or directory") == true, gaveUp?.message ?? "")
        }
        // The guard between worker and command hands back the command's own end.
        let killed = try script("killed.sh", "kill -KILL $$")
        XCTAssertThrowsError(try run(killed, sleeps: &sleeps)) { error in
            XCTAssertTrue((error as? ExternalVariant.GaveUp)?.message.contains("was killed by signal 9") == true, "\(error)")
        }
    }

    /// Exited (a zombie whose new parent has not reaped it yet counts) or no longer there.
    func gone(_ pid: Int32) -> Bool {
        for _ in 0..<50 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(20_000)
        }
        return false
    }

    func testACommandThatWritesNothingOrGarbageIsAProblem() throws {
        var sleeps: [Double] = []
        XCTAssertThrowsError(try run(try script("quiet.sh", "exit 0"), sleeps: &sleeps)) { error in
            XCTAssertEqual((error as? ExternalVariant.GaveUp)?.code, "no_output", "\(error)")
        }
        XCTAssertThrowsError(try run(try script("garbage.sh", "echo 'not a picture' > output.png"), sleeps: &sleeps)) { error in
            XCTAssertEqual((error as? ExternalVariant.GaveUp)?.code, "bad_image", "\(error)")
        }
    }
}
