import ControlProtocol
import Foundation
import XCTest

/// sd_notify as systemd's Type=notify sees it, over a real datagram socket.
final class SystemdNotifyTests: XCTestCase {
    func testReadyOnlyWhenServingThenStatusWatchdogAndStopping() throws {
        let path = NSTemporaryDirectory() + "pp-notify-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        let bound = UnixAddress.with(path) { bind(fd, $0, $1) }
        XCTAssertEqual(bound, 0)
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        func receive(until deadline: Date, _ stop: (String) -> Bool) -> [String] {
            var got: [String] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 {
                    let msg = String(decoding: buf[0..<n], as: UTF8.self)
                    got.append(msg)
                    if stop(msg) { break }
                }
            }
            return got
        }

        let daemon = try Daemon()
        defer { daemon.cleanUp() }
        daemon.environment = ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"]
        try daemon.start()
        let startup = receive(until: Date().addingTimeInterval(15)) { $0.contains("READY=1") }
        XCTAssertTrue(startup.contains { $0.contains("READY=1") }, "\(startup)")
        // READY means the socket and the watches are in place.
        XCTAssertNoThrow(try daemon.status())

        let later = receive(until: Date().addingTimeInterval(2.5)) { _ in false }
        XCTAssertGreaterThanOrEqual(later.filter { $0 == "WATCHDOG=1" }.count, 2, "\(later)")
        XCTAssertTrue((startup + later).contains { $0.hasPrefix("STATUS=") }, "\(later)")

        kill(daemon.pid, SIGTERM)
        let stopping = receive(until: Date().addingTimeInterval(10)) { $0.contains("STOPPING=1") }
        XCTAssertTrue(stopping.contains { $0.contains("STOPPING=1") }, "\(stopping)")
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testTheStatusLineNamesTheOldestBatchWithWorkLeftAndItsETA() throws {
        let path = NSTemporaryDirectory() + "pp-notify-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        XCTAssertEqual(UnixAddress.with(path) { bind(fd, $0, $1) }, 0)
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var statuses: [String] = []
        func drain() {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
                guard n > 0 else { return }
                statuses += String(decoding: buf[0..<n], as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("STATUS=") }.map(String.init)
            }
        }
        let d = try Daemon()
        defer { d.cleanUp() }
        d.environment = ["NOTIFY_SOCKET": path]
        try d.start()
        let first = try Fixtures.shots(count: 2, firstSku: 9901)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(first)/", "\(d.inbox)/early/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { drain(); return d.assets(in: .export).count == 2 })
        XCTAssertEqual(d.pipectl(["pause"]).status, 0)
        let second = try Fixtures.shots(count: 3, firstSku: 9951)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(second)/", "\(d.inbox)/late/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 20, poll: 0.2) {
            drain()
            return statuses.contains { $0.contains("; batch late 0/3, ETA ") }
        }, "\(statuses.suffix(5))")
    }
}
