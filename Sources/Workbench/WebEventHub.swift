import Foundation

/// Hands the daemon's asset moves to every open event stream. Each subscriber has a bounded
/// queue: a page that stops reading loses old events (it refetches on the next one), never the daemon's memory.
public final class WebEventHub: @unchecked Sendable {
    public final class Subscription: @unchecked Sendable {
        fileprivate var queue: [String] = []
        fileprivate var closed = false
        fileprivate let id: Int
        fileprivate init(id: Int) { self.id = id }
    }

    public static let queueLimit = 256
    private let condition = NSCondition()
    private var subscribers: [Int: Subscription] = [:]
    private var nextID = 0

    public init() {}

    public var count: Int { condition.lock(); defer { condition.unlock() }; return subscribers.count }

    public func subscribe() -> Subscription {
        condition.lock(); defer { condition.unlock() }
        nextID += 1
        let s = Subscription(id: nextID)
        subscribers[s.id] = s
        return s
    }

    public func unsubscribe(_ s: Subscription) {
        condition.lock(); defer { condition.unlock() }
        subscribers[s.id] = nil
    }

    /// One event: `data` is a JSON object on one line.
    public func publish(event: String, data: String) {
        let frame = "event: \(event)\ndata: \(data)\n\n"
        condition.lock()
        for s in subscribers.values {
            if s.queue.count >= Self.queueLimit { s.queue.removeFirst(s.queue.count - Self.queueLimit + 1) }
            s.queue.append(frame)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Ends every stream (the daemon stops).
    public func closeAll() {
        condition.lock()
        for s in subscribers.values { s.closed = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Frames waiting for `s`, waiting up to `timeout` for one; empty on a timeout; nil once closed.
    public func take(_ s: Subscription, timeout: TimeInterval) -> [String]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        while s.queue.isEmpty && !s.closed {
            if !condition.wait(until: deadline) { break }
        }
        if s.closed { return nil }
        let out = s.queue
        s.queue.removeAll()
        return out
    }
}
