import Foundation
import XCTest

/// An inotify queue overflow loses events, never files: the daemon re-reads the directories.
final class OverflowTests: XCTestCase {
    func testQueueOverflowIsRecoveredByReconcile() throws {
        let knob = "/proc/sys/fs/inotify/max_queued_events"
        guard let original = try? String(contentsOfFile: knob, encoding: .utf8),
              (try? "16\n".write(toFile: knob, atomically: false, encoding: .utf8)) != nil else {
            throw XCTSkip("needs root to shrink \(knob) for the daemon's inotify instance")
        }
        let daemon: Daemon
        do {
            // The kernel reads the limit when the daemon creates its inotify instance; restore it right after.
            defer { try? original.write(toFile: knob, atomically: false, encoding: .utf8) }
            daemon = try Daemon(config: "[review]\nmin_long_side = 100\n")
            try daemon.start()
        }
        defer { daemon.cleanUp() }
        XCTAssertEqual(try String(contentsOfFile: knob, encoding: .utf8), original)

        let src = try Fixtures.shots(count: 60, width: 400, height: 300, firstSku: 9501)
        try FileManager.default.createDirectory(atPath: "\(daemon.inbox)/burst", withIntermediateDirectories: true)
        usleep(300_000)
        // Freeze the daemon while the files land, so their events pile up past the queue's 16 slots.
        kill(daemon.pid, SIGSTOP)
        let copied = shell("/bin/sh", ["-c", "cp \"$0\"/*.jpg \"$1\"/", src, "\(daemon.inbox)/burst"])
        kill(daemon.pid, SIGCONT)
        XCTAssertEqual(copied.status, 0, copied.err)
        let names = Fixtures.files(in: src)
        XCTAssertTrue(waitUntil(timeout: 120) { daemon.exported().count == names.count && daemon.assets(in: .export).count == names.count },
                      "exported \(daemon.exported().count)/\(names.count); log:\n\(daemon.log.suffix(3000))")
        XCTAssertTrue(daemon.log.contains("inotify queue overflowed"), "the burst should overflow a 16-event queue")
        XCTAssertEqual(daemon.exported(), names)
    }
}
