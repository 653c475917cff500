import Foundation
import Imaging
import PhotopipeDaemon
import XCTest

/// The serving preview child: kept between questions, replaced when it dies, stopped when idle,
/// and heard while it runs.
final class WorkbenchPreviewChildTests: XCTestCase {
    typealias Scratch = WorkbenchPreviewTests.Scratch

    func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // A zombie is not alive: field 3, after the command in parentheses.
        return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
    }

    /// A stand-in for photopiped: a shell script run with the arguments the runner gives.
    func fakeChild(_ body: String) throws -> String {
        let path = NSTemporaryDirectory() + "pp-fake-preview-\(UUID().uuidString.prefix(8)).sh"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        addTeardownBlock { unlink(path) }
        return path
    }

    func testOneChildAnswersManyQuestions() throws {
        let s = try Scratch()
        let runner = s.runner
        defer { runner.stopIdle() }
        _ = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 0, y: 0, size: 128))
        let first = runner.idleChildren
        XCTAssertEqual(first.count, 1, "one child, waiting for the next question")
        let t0 = Date()
        for x in 1...5 { _ = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: x * 10, y: 0, size: 128)) }
        print(String(format: "measured: 5 crops from a warm child in %.1f ms", Date().timeIntervalSince(t0) * 1000))
        XCTAssertEqual(runner.idleChildren, first, "the same process answered them all")
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(s.root)/.work/previews/\(s.asset)")
        XCTAssertEqual(files.filter { $0.hasPrefix("crop-") }.count, 6)
    }

    /// Web requests come on threads that end with their connection; the child must outlive the
    /// thread that started it (a parent-death signal would follow that thread).
    func testTheChildOutlivesTheThreadThatStartedIt() throws {
        let s = try Scratch()
        let runner = s.runner, asset = s.asset, assetDir = s.assetDir
        defer { runner.stopIdle() }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var made: String?
        Thread.detachNewThread {
            made = try? runner.make(asset: asset, assetDir: assetDir, kind: .crop(x: 0, y: 0, size: 64))
            done.signal()
        }
        done.wait()
        XCTAssertNotNil(made)
        let pid = try XCTUnwrap(runner.idleChildren.first)
        usleep(300_000)
        XCTAssertTrue(alive(pid), "the child died with its thread")
        XCTAssertNoThrow(try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 1, y: 0, size: 64)))
        XCTAssertEqual(runner.idleChildren, [pid])
    }

    /// Killed with its parent or not, a serving child whose parent is gone leaves within about a second.
    func testAServingChildLeavesWhenItsParentDies() throws {
        let s = try Scratch()
        // sh is the parent; `sleep` keeps the child's stdin open, so only the parent's death can end it.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "sleep 8 | '\(Daemon.photopiped)' preview --serve --root '\(s.root)' --parent $$"]
        try sh.run()
        var child: Int32 = 0
        XCTAssertTrue(waitUntil(timeout: 5) {
            let kids = (try? String(contentsOfFile: "/proc/\(sh.processIdentifier)/task/\(sh.processIdentifier)/children", encoding: .utf8)) ?? ""
            // Exec'd already: before it, a forked shell's command line holds "--serve" too.
            child = kids.split(separator: " ").compactMap { Int32($0) }.first { pid in
                let argv = ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").split(separator: "\0")
                return argv.first?.hasSuffix("photopiped") == true && argv.contains("--serve")
            } ?? 0
            return child > 0
        })
        usleep(300_000)
        XCTAssertTrue(alive(child), "it serves while its parent lives")
        kill(sh.processIdentifier, SIGKILL)
        let t0 = Date()
        XCTAssertTrue(waitUntil(timeout: 4) { !self.alive(child) }, "the orphan still serves")
        print(String(format: "measured: the orphaned child left after %.2f s", Date().timeIntervalSince(t0)))
    }

    func testWarmingStartsOneChildAheadOfTheFirstQuestion() throws {
        let s = try Scratch()
        let runner = s.runner
        defer { runner.stopIdle() }
        runner.warm()
        XCTAssertTrue(waitUntil(timeout: 10) { runner.idleChildren.count == 1 }, "no child started")
        let pid = runner.idleChildren[0]
        runner.warm()
        usleep(200_000)
        XCTAssertEqual(runner.idleChildren, [pid], "warming again starts no second child")
        _ = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 3, y: 3, size: 64))
        XCTAssertEqual(runner.idleChildren, [pid], "the first question went to the warm child")
    }

    func testAChildKilledWhileIdleIsReplaced() throws {
        let s = try Scratch()
        let runner = s.runner
        defer { runner.stopIdle() }
        _ = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(300))
        let old = try XCTUnwrap(runner.idleChildren.first)
        kill(old, SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 5) { !self.alive(old) })
        let path = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(310))
        XCTAssertEqual(try Image.open(path).width, 310)
        XCTAssertEqual(runner.idleChildren.count, 1)
        XCTAssertNotEqual(runner.idleChildren.first, old)
    }

    func testAnIdleChildIsStopped() throws {
        let s = try Scratch()
        let runner = WorkbenchPreview.Runner(executable: Daemon.photopiped, root: s.root, idleSeconds: 0.3)
        _ = try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(200))
        let pid = try XCTUnwrap(runner.idleChildren.first)
        // Warmed again and again (as every live update of a batch page does), it stays.
        for _ in 0..<8 {
            runner.warm()
            usleep(100_000)
        }
        XCTAssertEqual(runner.idleChildren, [pid], "a warmed child is kept")
        XCTAssertTrue(alive(pid))
        let lastWarmed = Date()
        XCTAssertTrue(waitUntil(timeout: 5) { runner.idleChildren.isEmpty && !self.alive(pid) }, "still there: \(runner.idleChildren)")
        XCTAssertGreaterThan(Date().timeIntervalSince(lastWarmed), 0.2, "gone only once idle")
        // The next question starts a new one.
        XCTAssertNoThrow(try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(210)))
        runner.stopIdle()
    }

    /// A failing child that says much more than a pipe holds (64 KiB) is heard at once, not
    /// after the timeout, and its last words make the message.
    func testAChattyFailureIsReadWhileTheChildRuns() throws {
        let s = try Scratch()
        let chatty = try fakeChild("""
            read question
            i=0; while [ $i -lt 3000 ]; do echo "libvips warning number $i: something is not quite right here" >&2; i=$((i+1)); done
            echo "the last word: boom" >&2
            exit 3
            """)
        let runner = WorkbenchPreview.Runner(executable: chatty, root: s.root)
        let t0 = Date()
        XCTAssertThrowsError(try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 0, y: 0, size: 64), timeout: 8)) { error in
            XCTAssertTrue("\(error)".contains("exit 3"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("the last word: boom"), "\(error)")
            XCTAssertLessThan("\(error)".utf8.count, 5000, "only the end of what it said")
        }
        let took = Date().timeIntervalSince(t0)
        print(String(format: "measured: a child saying ~200 KiB on stderr failed after %.2f s", took))
        XCTAssertLessThan(took, 4, "heard when it stopped, not at the 8 s timeout")
        XCTAssertEqual(runner.idleChildren, [], "a failed child is not kept")
    }

    func testAChildThatCrashesMidQuestionIsNamedAndTheNextQuestionGetsANewOne() throws {
        let s = try Scratch()
        let crashing = try fakeChild("read question\necho 'decoding went wrong' >&2\nkill -SEGV $$")
        let runner = WorkbenchPreview.Runner(executable: crashing, root: s.root)
        for _ in 0..<2 {
            XCTAssertThrowsError(try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(400))) { error in
                XCTAssertTrue("\(error)".contains("died (signal \(SIGSEGV))"), "\(error)")
                XCTAssertTrue("\(error)".contains("decoding went wrong"), "\(error)")
            }
        }
    }

    func testTheServingChildAnswersABadQuestionAndGoesOn() throws {
        let s = try Scratch()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Daemon.photopiped)
        p.arguments = ["preview", "--serve", "--root", s.root]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let good = try JSONEncoder().encode(WorkbenchPreview.Question(assetDir: s.assetDir, asset: s.asset, kind: .crop(x: 5, y: 5, size: 64)))
        input.fileHandleForWriting.write(Data("not json\n{\"assetDir\":\"x\",\"asset\":\"y\",\"kind\":\"zoom=3\"}\n".utf8) + good + Data("\n".utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "it ends when its questions do")
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "\(lines)")
        let answers = try lines.map { try JSONDecoder().decode(WorkbenchPreview.Answer.self, from: Data($0.utf8)) }
        XCTAssertNotNil(answers[0].error)
        XCTAssertEqual(answers[1].error, "no such preview: zoom=3")
        let made = try XCTUnwrap(answers[2].path, "\(answers[2])")
        XCTAssertEqual(try Image.open(made).width, 64)
    }

    func testKindsGoThroughTheirOption() {
        for kind: WorkbenchPreview.Kind in [.master(800), .original(1200), .crop(x: -3, y: 40, size: 512)] {
            XCTAssertEqual(WorkbenchPreview.Kind(option: kind.option), kind)
        }
        XCTAssertNil(WorkbenchPreview.Kind(option: "master=wide"))
        XCTAssertNil(WorkbenchPreview.Kind(option: "crop=1,2"))
        XCTAssertNil(WorkbenchPreview.Kind(option: "master"))
    }
}
