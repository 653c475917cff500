import Foundation

/// Where the supervisor reads the time: the wall clock, or a clock a test moves by hand.
public protocol DaemonClock: Sendable {
    func now() -> Date
}

public struct SystemClock: DaemonClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to (settle, timeouts, sweeps and webhook timers follow it).
public final class ManualClock: DaemonClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date()) { current = start }
    public func now() -> Date { lock.withLock { current } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
