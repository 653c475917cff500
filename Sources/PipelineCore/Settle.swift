import Foundation

/// When is a writer done with a file? Size and mtime must stay unchanged for the
/// quiet period, and (where the kernel can tell) nobody may hold it open for writing.
public struct SettleTracker: Sendable {
    public struct Snapshot: Equatable, Sendable {
        public let size: Int64
        public let mtimeNanos: Int64
        public init(size: Int64, mtimeNanos: Int64) { self.size = size; self.mtimeNanos = mtimeNanos }
    }

    public enum WriterState: Sendable { case open, closed, unknown }

    struct Entry: Sendable {
        var snapshot: Snapshot
        var quietSince: Double
    }

    public let quiet: Double
    private var entries: [String: Entry] = [:]

    public init(quiet: Double) { self.quiet = quiet }

    public var count: Int { entries.count }
    public var paths: [String] { Array(entries.keys) }

    /// Records what was seen now; any change restarts the quiet period.
    public mutating func observe(_ path: String, _ snapshot: Snapshot, now: Double) {
        if let e = entries[path], e.snapshot == snapshot { return }
        entries[path] = Entry(snapshot: snapshot, quietSince: now)
    }

    /// An event on the file (write, close, move) also restarts the quiet period.
    public mutating func touch(_ path: String, now: Double) {
        entries[path]?.quietSince = now
    }

    public mutating func forget(_ path: String) { entries.removeValue(forKey: path) }

    /// Paths whose quiet period has passed and that need a final check.
    public func due(now: Double) -> [String] {
        entries.filter { now - $0.value.quietSince >= quiet }.map(\.key).sorted()
    }

    /// Seconds until the earliest path becomes due (nil when nothing is tracked).
    public func secondsUntilNextDue(now: Double) -> Double? {
        entries.values.map { max(0, $0.quietSince + quiet - now) }.min()
    }

    public enum Decision: Equatable, Sendable { case settled, wait }

    /// The final check for a due path: the file as it is now, and whether a writer holds it.
    public mutating func decide(_ path: String, current: Snapshot?, writer: WriterState, now: Double) -> Decision {
        guard let current else { forget(path); return .wait }
        guard let e = entries[path], e.snapshot == current else { observe(path, current, now: now); return .wait }
        if now - e.quietSince < quiet { return .wait }
        if writer == .open { entries[path]?.quietSince = now; return .wait }
        return .settled
    }
}
