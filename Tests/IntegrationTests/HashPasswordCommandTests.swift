import Foundation
import PipelineCore
import XCTest

/// `photopiped hash-password`, as a person at a terminal and as a script would run it.
final class HashPasswordCommandTests: XCTestCase {
    func testAPipedLineBecomesAHashOfExactlyThatLine() throws {
        let r = shell("/bin/sh", ["-c", "printf '%s\\n' 'two words ' | \"$0\" hash-password", Daemon.photopiped])
        XCTAssertEqual(r.status, 0, r.err)
        let hash = r.out.trimmingCharacters(in: .newlines)
        XCTAssertTrue(hash.hasPrefix("$2b$12$") && hash.count == 60, hash)
        XCTAssertEqual(r.out.split(separator: "\n").count, 1, "only the hash on stdout: \(r.out)")
        XCTAssertTrue(PasswordHash.verify("two words ", against: hash), "the trailing space is part of the password")
        XCTAssertFalse(PasswordHash.verify("two words", against: hash))
        // What it prints is what the config accepts.
        XCTAssertEqual(try ConfigLoader.parse("[web.user.ana]\npassword = \"\(hash)\"\n").web.users["ana"]?.passwordHash, hash)
    }

    func testNoPasswordIsRefused() {
        let empty = shell("/bin/sh", ["-c", "printf '\\n' | \"$0\" hash-password", Daemon.photopiped])
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.err.contains("the password is empty"), empty.err)
        XCTAssertEqual(empty.out, "")
        let none = shell("/bin/sh", ["-c", "\"$0\" hash-password < /dev/null", Daemon.photopiped])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.contains("no password on stdin"), none.err)
    }

    /// On a terminal: asked twice, never echoed.
    func testATerminalIsAskedTwiceWithoutEcho() throws {
        let r = shell("/usr/bin/python3", ["-c", """
            import os, pty, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1], "hash-password"])
            seen = b""
            def read_until(word):
                global seen
                while word not in seen:
                    chunk = os.read(fd, 1024)
                    if not chunk: break
                    seen += chunk
            read_until(b"Password: "); os.write(fd, b"tty-secret-9\\n")
            read_until(b"Again: "); os.write(fd, b"tty-secret-9\\n")
            try:
                while True:
                    chunk = os.read(fd, 1024)
                    if not chunk: break
                    seen += chunk
            except OSError:
                pass
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(seen.decode())
            sys.exit(os.waitstatus_to_exitcode(status))
            """, Daemon.photopiped])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("Password: ") && r.out.contains("Again: "), r.out)
        XCTAssertFalse(r.out.contains("tty-secret-9"), "the password is never echoed: \(r.out)")
        let hash = try XCTUnwrap(r.out.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { $0.hasPrefix("$2b$") })
        XCTAssertTrue(PasswordHash.verify("tty-secret-9", against: hash))
    }
}
