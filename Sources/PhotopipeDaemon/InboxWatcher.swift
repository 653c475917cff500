import CInotifyTools
import CShims
import Foundation

/// Watches inbox/ and the watch folders recursively with libinotifytools on a thread of its own (the
/// library keeps global state and returns events in static storage). Events are
/// only hints for the supervisor: it re-reads the directories itself.
final class InboxWatcher: @unchecked Sendable {
    private let folders: [String]
    private let mailbox: Mailbox
    private let stopLock = NSLock()
    private var stopped = false
    private var thread: Thread?
    /// Signalled once the watch thread has released libinotifytools' global state.
    private let finished = DispatchSemaphore(value: 0)

    static let mask = Int32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)

    init(folders: [String], mailbox: Mailbox) {
        self.folders = folders
        self.mailbox = mailbox
    }

    /// Sets up the watches before returning, so READY=1 can follow.
    func start() throws {
        let ready = DispatchSemaphore(value: 0)
        let failure = Box<String?>(nil)
        let t = Thread { [self] in
            defer { finished.signal() }
            if inotifytools_initialize() == 0 {
                failure.value = "cannot start inotify: \(String(cString: strerror(inotifytools_error())))"
                ready.signal()
                return
            }
            for folder in folders where inotifytools_watch_recursively(folder, Self.mask) == 0 {
                failure.value = "cannot watch \(folder): \(String(cString: strerror(inotifytools_error())))"
                inotifytools_cleanup()
                ready.signal()
                return
            }
            ready.signal()
            loop()
            inotifytools_cleanup()
        }
        t.name = "inbox-watcher"
        t.start()
        thread = t
        ready.wait()
        if let f = failure.value { throw DaemonError(f) }
    }

    /// Ends the watch and waits (at most 2 s: the loop wakes every second) until the library's
    /// global state is released, so a daemon started next in the same process gets a clean one.
    func stop() {
        stopLock.lock()
        let first = !stopped
        stopped = true
        stopLock.unlock()
        if first && thread != nil { _ = finished.wait(timeout: .now() + 2) }
    }

    private var isStopped: Bool { stopLock.lock(); defer { stopLock.unlock() }; return stopped }

    private func loop() {
        while !isStopped {
            guard let event = inotifytools_next_event(1) else {
                let err = inotifytools_error()
                if err != 0 && err != EINTR { mailbox.post(.watcherFailed(String(cString: strerror(err)))); return }
                continue
            }
            let mask = Int32(bitPattern: event.pointee.mask)
            if mask & Int32(IN_Q_OVERFLOW) != 0 { mailbox.post(.inboxOverflow); continue }
            guard let dirC = inotifytools_filename_from_wd(event.pointee.wd) else { continue }
            var dir = String(cString: dirC)
            if dir.isEmpty { continue }
            if dir.hasSuffix("/") { dir.removeLast() }
            let name = String(cString: pp_inotify_event_name(event))
            let path = name.isEmpty ? dir : "\(dir)/\(name)"
            if mask & Int32(IN_ISDIR) != 0 {
                if mask & Int32(IN_CREATE | IN_MOVED_TO) != 0 {
                    // New batch folder: watch it, then let the supervisor scan what landed before the watch.
                    _ = inotifytools_watch_recursively(path, Self.mask)
                    mailbox.post(.inboxDirectoryAdded(path: path))
                }
                continue
            }
            mailbox.post(.inboxChanged(path: path))
        }
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}

public struct DaemonError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
