import ControlProtocol
import Foundation

/// Who is on the other end of a control connection (SO_PEERCRED), with what the user database says of them.
struct Peer: Sendable {
    let pid: Int32
    let uid: UInt32
    let gid: UInt32
    /// "bob (uid 1001)"; nil when the uid has no user.
    var person: String? = nil
    /// The user's groups in the user database (SO_PEERCRED gives only the process's gid).
    var groups: [UInt32] = []

    /// How decisions, history notes and events name the peer.
    var who: String { person ?? "uid \(uid)" }
}

/// Where a control connection waits for the supervisor's answer.
final class ReplySlot: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var response: Response?

    func fulfil(_ r: Response) { response = r; done.signal() }
    func wait(timeout: Double) -> Response? {
        done.wait(timeout: .now() + timeout) == .success ? response : nil
    }
}

enum DaemonEvent: Sendable {
    case inboxChanged(path: String)
    case inboxDirectoryAdded(path: String)
    case inboxOverflow
    case watcherFailed(String)
    case workerLine(worker: Int, line: Data)
    case workerExited(worker: Int, status: Int32)
    case control(Request, Peer, ReplySlot)
    case signal(Int32)
    case delivered(DeliveryOutcome)
    /// A workbench request's question, answered on the main loop.
    case mainLoop(MainLoopTask)
}

/// The supervisor's single inbox of events: every thread posts here, only the main loop takes.
final class Mailbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [DaemonEvent] = []

    func post(_ e: DaemonEvent) {
        condition.lock()
        events.append(e)
        condition.signal()
        condition.unlock()
    }

    /// Everything posted so far, waiting up to `timeout` seconds for the first event.
    func take(timeout: Double) -> [DaemonEvent] {
        condition.lock()
        defer { condition.unlock() }
        if events.isEmpty { _ = condition.wait(until: Date(timeIntervalSinceNow: timeout)) }
        let taken = events
        events.removeAll(keepingCapacity: true)
        return taken
    }
}
