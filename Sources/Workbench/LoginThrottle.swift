import Foundation

/// Slows password guessing: failed logins are counted per client address and per user name over
/// a sliding window. Once either has `limit` failures in the window, further attempts are refused
/// until the oldest of them leaves it. A success clears the user's count (not the address's: a
/// guesser who also holds an account must not wipe their own record by logging in).
public final class LoginThrottle: @unchecked Sendable {
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Whole seconds until an attempt is allowed again (for Retry-After).
        case refused(retryAfter: Int)
    }

    public let limit: Int
    public let window: TimeInterval
    /// Past this many tracked names or addresses, stale entries are swept on every failure.
    private let sweepAbove: Int
    private let lock = NSLock()
    private var byAddress: [String: [Date]] = [:]
    private var byUser: [String: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 300, sweepAbove: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.sweepAbove = sweepAbove
    }

    /// Asked before the password is checked; a refused attempt is not checked and not counted.
    public func check(address: String, user: String, now: Date = Date()) -> Decision {
        lock.lock()
        defer { lock.unlock() }
        let waits = [wait(byAddress[address], now), wait(byUser[Self.normal(user)], now)].compactMap { $0 }
        guard let longest = waits.max() else { return .allowed }
        return .refused(retryAfter: max(1, Int(longest.rounded(.up))))
    }

    public func recordFailure(address: String, user: String, now: Date = Date()) {
        lock.lock()
        defer { lock.unlock() }
        byAddress[address] = recent(byAddress[address], now) + [now]
        byUser[Self.normal(user)] = recent(byUser[Self.normal(user)], now) + [now]
        if byAddress.count > sweepAbove || byUser.count > sweepAbove {
            byAddress = byAddress.compactMapValues { let r = recent($0, now); return r.isEmpty ? nil : r }
            byUser = byUser.compactMapValues { let r = recent($0, now); return r.isEmpty ? nil : r }
        }
    }

    public func recordSuccess(user: String) {
        lock.lock()
        byUser[Self.normal(user)] = nil
        lock.unlock()
    }

    /// Names tracked (for tests and metrics).
    public var tracked: (addresses: Int, users: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (byAddress.count, byUser.count)
    }

    private func recent(_ failures: [Date]?, _ now: Date) -> [Date] {
        (failures ?? []).filter { now.timeIntervalSince($0) < window }
    }

    /// Seconds until fewer than `limit` failures are left in the window; nil when that is already so.
    private func wait(_ failures: [Date]?, _ now: Date) -> TimeInterval? {
        let r = recent(failures, now)
        guard r.count >= limit else { return nil }
        // The (count - limit + 1)th oldest has to leave the window.
        return r.sorted()[r.count - limit].addingTimeInterval(window).timeIntervalSince(now)
    }

    /// "Alice" and "alice " are one user to a guesser.
    private static func normal(_ user: String) -> String { user.trimmingCharacters(in: .whitespaces).lowercased() }
}
