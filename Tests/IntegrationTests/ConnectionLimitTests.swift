import ControlProtocol
import Foundation
import XCTest

/// The control socket under a flood of idle connections, and what pipectl says when it cannot talk.
final class ConnectionLimitTests: XCTestCase {
    var daemon: Daemon!
    var scratch: String!
    override func setUp() {
        scratch = NSTemporaryDirectory() + "pp-conn-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        chmod(scratch, 0o777) // the holder may run as nobody and writes its ready marker here
    }
    override func tearDown() {
        daemon?.cleanUp()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Opens N connections to a socket (as another user when given), says so in READY, then
    /// reports how the server ended them.
    static let holder = #"""
    import json, os, select, socket, sys, time
    path, count, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if len(sys.argv) > 5:
        uid, gid = int(sys.argv[4]), int(sys.argv[5])
        os.setgroups([gid]); os.setgid(gid); os.setuid(uid)
    socks, errors = [], []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path); socks.append(s)
        except OSError as e:
            errors.append(str(e)); s.close()
    start = time.monotonic()
    with open(ready + ".tmp", "w") as f: f.write(str(len(socks)))
    os.rename(ready + ".tmp", ready)
    live = {s.fileno(): s for s in socks}
    data = {s.fileno(): b"" for s in socks}
    closed = {}
    while live and time.monotonic() < start + 20:
        r, _, _ = select.select(list(live), [], [], 0.2)
        for fd in r:
            try: chunk = live[fd].recv(4096)
            except OSError: chunk = b""
            if chunk: data[fd] += chunk; continue
            closed[fd] = time.monotonic() - start
            live.pop(fd).close()
    print(json.dumps({"opened": len(socks), "connect_errors": errors[:3],
        "refused": sum(1 for d in data.values() if b"too many control connections" in d),
        "closed": len(closed), "still_open": len(live),
        "last_close_s": max(closed.values()) if closed else -1,
        "lines": sorted({d.decode(errors="replace").strip() for d in data.values() if d})}))
    """#

    struct Held: Decodable {
        let opened: Int
        let connect_errors: [String]
        let refused: Int
        let closed: Int
        let still_open: Int
        let last_close_s: Double
        let lines: [String]
    }

    /// Holds `count` idle connections from a child process while `during` runs; returns the child's report.
    func holdIdleConnections(_ count: Int, uid: UInt32? = nil, gid: UInt32? = nil, during: () throws -> Void) throws -> Held {
        let script = "\(scratch!)/holder.py", ready = "\(scratch!)/ready"
        try Self.holder.write(toFile: script, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, daemon.socket, "\(count)", ready] + (uid.map { ["\($0)", "\(gid!)"] } ?? [])
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        XCTAssertTrue(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: ready) }, "the holder never got its connections open")
        try during()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return try JSONDecoder().decode(Held.self, from: data)
    }

    /// Runs `pipectl status` and returns its wall time in seconds.
    func timedStatus() -> Double {
        let t0 = Date()
        let r = daemon.pipectl(["status"])
        let dt = Date().timeIntervalSince(t0)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("photopiped 0.1.0"), r.out + r.err)
        return dt
    }

    func testTwoHundredIdleConnectionsFromAGroupMemberDoNotLockRootOut() throws {
        let nogroup = try XCTUnwrap(getgrnam("nogroup")).pointee.gr_gid
        daemon = try Daemon(daemonKeys: "socket_group = \"nogroup\"\n").start()
        var st = stat()
        XCTAssertEqual(stat(daemon.socket, &st), 0)
        XCTAssertEqual(st.st_gid, nogroup, "the socket belongs to the configured group")
        XCTAssertEqual(st.st_mode & 0o777, 0o660)
        var latencies: [Double] = []
        let held = try holdIdleConnections(200, uid: 65534, gid: nogroup) {
            for _ in 0..<3 { latencies.append(timedStatus()) }
        }
        print("nobody holds 200: root status latencies \(latencies.map { String(format: "%.3f", $0) }); holder \(held)")
        XCTAssertLessThan(latencies.max() ?? 99, 1.0, "root's status answers within 1 s")
        XCTAssertEqual(held.opened, 200, "\(held.connect_errors)")
        XCTAssertEqual(held.refused, 200 - 8, "one uid holds at most 8 connections; the rest are refused at once")
        XCTAssertTrue(held.lines.contains { $0.contains("too many control connections from uid 65534") && $0.contains(#""ok":false"#) }, "\(held.lines)")
        XCTAssertTrue(held.lines.contains { $0.contains("no whole request line within 3 s") }, "\(held.lines)")
        XCTAssertEqual(held.still_open, 0)
        XCTAssertEqual(held.closed, 200)
        XCTAssertLessThan(held.last_close_s, 6, "the admitted idle connections are closed within a few seconds")
        XCTAssertEqual(daemon.pipectl(["status"]).status, 0)
    }

    func testTwoHundredIdleRootConnectionsDoNotLockRootOut() throws {
        daemon = try Daemon().start()
        var latencies: [Double] = []
        let held = try holdIdleConnections(200) {
            for _ in 0..<3 { latencies.append(timedStatus()) }
        }
        print("root holds 200: root status latencies \(latencies.map { String(format: "%.3f", $0) }); holder \(held)")
        XCTAssertLessThan(latencies.max() ?? 99, 1.0, "root's status answers within 1 s")
        XCTAssertEqual(held.opened, 200, "\(held.connect_errors)")
        XCTAssertEqual(held.refused, 0, "root is never refused: the connection idle longest makes room")
        XCTAssertEqual(held.still_open, 0)
        XCTAssertEqual(held.closed, 200)
        XCTAssertLessThan(held.last_close_s, 6)
    }

    /// 40 root clients at once on 8 root slots: each gets its answer, or one sentence saying why not
    /// (its idle connection made room for another, or every slot was busy answering).
    func testManyConcurrentRootClientsGetAnswersOrAReason() throws {
        daemon = try Daemon().start()
        let group = DispatchGroup()
        let lock = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        nonisolated(unsafe) var answered = 0
        let socket = daemon.socket
        for _ in 0..<40 {
            DispatchQueue.global().async(group: group) {
                do {
                    let r = try ControlClient.send(Request(command: .status), socketPath: socket, timeout: 10)
                    if r.ok { lock.lock(); answered += 1; lock.unlock() } else { throw ControlClientError(description: r.error ?? "?") }
                }
                catch { lock.lock(); failures.append("\(error)"); lock.unlock() }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        print("40 concurrent root clients: \(answered) answered; failures: \(failures)")
        XCTAssertGreaterThan(answered, 0)
        XCTAssertTrue(failures.allSatisfy { $0.contains("closed the connection") || $0.contains("busy answering requests") }, "\(failures)")
        XCTAssertEqual(daemon.pipectl(["status"]).status, 0)
    }

    func testANonMemberIsToldTheSocketsGroupAndHowToJoinIt() throws {
        daemon = try Daemon(daemonKeys: "socket_group = \"daemon\"\n").start()
        // Root passes any permission check, so pipectl runs as nobody (not in group 'daemon'), from
        // a copy nobody can reach (the build directory may sit under a private temporary folder).
        let pipectl = "\(daemon.base)/pipectl"
        try? FileManager.default.removeItem(atPath: pipectl)
        try FileManager.default.copyItem(atPath: Daemon.pipectl, toPath: pipectl)
        chmod(pipectl, 0o755)
        chmod(daemon.base, 0o755)
        let r = shell("/usr/bin/python3", ["-c", """
            import os, sys
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
            os.execv(sys.argv[1], sys.argv[1:])
            """, pipectl, "status", "--socket", daemon.socket])
        XCTAssertEqual(r.status, 1)
        XCTAssertFalse(r.err.contains("not running"), r.err)
        XCTAssertTrue(r.err.contains("group 'daemon'") && r.err.contains("nobody is not in it"), r.err)
        XCTAssertTrue(r.err.contains("`sudo usermod -aG daemon nobody`, then log in again"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
    }

    /// The sentences for the other EACCES cases, built without a second user on the machine.
    func testAccessDeniedSentences() {
        let path = "/run/photopipe/control.sock"
        XCTAssertEqual(ControlClient.accessDeniedMessage(socketPath: path, user: "ana", group: "photopipe", listed: false, inSession: false, groupCanConnect: true),
                       "permission denied on /run/photopipe/control.sock: the control socket belongs to group 'photopipe' and ana is not in it. Join it with `sudo usermod -aG photopipe ana`, then log in again.")
        XCTAssertTrue(ControlClient.accessDeniedMessage(socketPath: path, user: "ana", group: "photopipe", listed: true, inSession: false, groupCanConnect: true)
            .contains("ana was added to group 'photopipe' after this login; log in again (or run `newgrp photopipe`)"))
        XCTAssertTrue(ControlClient.accessDeniedMessage(socketPath: path, user: "ana", group: "photopipe", listed: true, inSession: true, groupCanConnect: false)
            .contains("its mode does not let group 'photopipe' connect"))
        XCTAssertTrue(ControlClient.accessDeniedMessage(socketPath: path, user: "ana", group: nil, listed: false, inSession: false, groupCanConnect: false)
            .contains("a directory on the way is closed"))
    }

    func testPipectlSaysSoWhenTheServerClosesTheConnectionEarly() throws {
        let sock = "\(scratch!)/closer.sock"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(8)
            while True:
                c, _ = s.accept(); c.close()
            """, sock]
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }   // SIGTERM may be ignored here (see ExternalFixtures)
        XCTAssertTrue(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: sock) })

        // A small request: the server closes before answering.
        let small = shell(Daemon.pipectl, ["status", "--socket", sock])
        XCTAssertEqual(small.status, 1, "exits 1, not killed by a signal: \(small)")
        XCTAssertTrue(small.err.contains("photopiped closed the connection on \(sock) before"), small.err)
        XCTAssertEqual(small.err.split(separator: "\n").count, 1, small.err)

        // A request far bigger than the socket buffer: the server closes while pipectl is still
        // writing, which used to be a silent death by SIGPIPE.
        let names = (0..<10).map { i in String(repeating: "x", count: 100_000) + "\(i)" }
        let big = shell(Daemon.pipectl, ["reject"] + names + ["--reason", "r", "--socket", sock])
        XCTAssertEqual(big.status, 1, "exits 1, not killed by SIGPIPE (13): \(big.status)")
        XCTAssertTrue(big.err.contains("photopiped closed the connection on \(sock) before taking the request (Broken pipe)"), big.err)
    }
}
