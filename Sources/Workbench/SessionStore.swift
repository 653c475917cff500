import Foundation
import PipelineCore

/// A logged-in browser: the cookie's token names it, the CSRF token guards its changes.
public struct Session: Sendable, Equatable {
    public let token: String
    public let user: String
    public let role: Role
    public let csrf: String
    public let created: Date
    public var lastSeen: Date
}

/// Sessions in memory (a restart logs everyone out). A session ends after `idle` without a
/// request; a user holds at most `maxPerUser` sessions, the oldest dropped first.
/// Sessions are filed under the SHA-256 of their token, so a lookup compares no secret.
public final class SessionStore: @unchecked Sendable {
    public private(set) var idle: TimeInterval
    public let maxPerUser: Int
    private let lock = NSLock()
    private var sessions: [String: Session] = [:]

    public init(idle: TimeInterval, maxPerUser: Int = 10) {
        self.idle = idle
        self.maxPerUser = max(1, maxPerUser)
    }

    public convenience init(settings: WebSettings, maxPerUser: Int = 10) {
        self.init(idle: settings.sessionHours * 3600, maxPerUser: maxPerUser)
    }

    public func create(user: String, role: Role, now: Date = Date()) -> Session {
        let s = Session(token: Self.randomToken(), user: user, role: role, csrf: Self.randomToken(), created: now, lastSeen: now)
        lock.lock()
        defer { lock.unlock() }
        dropExpired(now: now)
        let theirs = sessions.filter { $0.value.user == user }.sorted { $0.value.created < $1.value.created }
        for (key, _) in theirs.prefix(max(0, theirs.count - maxPerUser + 1)) { sessions[key] = nil }
        sessions[Self.key(s.token)] = s
        return s
    }

    /// The live session for a cookie's token, its idle clock restarted; nil when unknown or expired.
    public func lookup(token: String, now: Date = Date()) -> Session? {
        let key = Self.key(token)
        lock.lock()
        defer { lock.unlock() }
        guard var s = sessions[key] else { return nil }
        guard now.timeIntervalSince(s.lastSeen) < idle else {
            sessions[key] = nil
            return nil
        }
        s.lastSeen = max(s.lastSeen, now)
        sessions[key] = s
        return s
    }

    public func end(token: String) {
        let key = Self.key(token)
        lock.lock()
        sessions[key] = nil
        lock.unlock()
    }

    /// Ends every session of a user (removed from the config, or given another role).
    public func end(user: String) {
        lock.lock()
        sessions = sessions.filter { $0.value.user != user }
        lock.unlock()
    }

    /// Every session ends (the way people may sign in changed).
    public func endAll() {
        lock.lock()
        sessions = [:]
        lock.unlock()
    }

    /// After a reload: sessions end after this long without a request.
    public func use(idle: TimeInterval) {
        lock.lock()
        self.idle = idle
        lock.unlock()
    }

    public func count(now: Date = Date()) -> Int {
        lock.lock()
        defer { lock.unlock() }
        dropExpired(now: now)
        return sessions.count
    }

    /// Compares every byte whatever the first difference, so the time taken tells nothing.
    public static func csrfMatches(session: Session, token: String) -> Bool {
        constantTimeEqual(Array(session.csrf.utf8), Array(token.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff: UInt8 = a.count == b.count ? 0 : 1
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }

    /// 32 bytes from the kernel (getrandom, through SystemRandomNumberGenerator), base64url without padding.
    public static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: rng.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func key(_ token: String) -> String { SHA256.hex(Data(token.utf8)) }

    private func dropExpired(now: Date) {
        sessions = sessions.filter { now.timeIntervalSince($0.value.lastSeen) < idle }
    }
}
