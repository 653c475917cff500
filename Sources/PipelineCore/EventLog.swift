import Foundation

/// One line of the append-only event log (`events.jsonl` under the root).
public struct Event: Codable, Sendable, Equatable {
    public var at: Date
    public var event: String
    public var asset: String?
    public var step: String?
    public var from: String?
    public var to: String?
    public var ms: Double?
    public var detail: String?

    public init(event: String, asset: String? = nil, step: String? = nil, from: String? = nil, to: String? = nil,
                ms: Double? = nil, detail: String? = nil, at: Date = Date()) {
        self.at = at; self.event = event; self.asset = asset; self.step = step
        self.from = from; self.to = to; self.ms = ms; self.detail = detail
    }
}

/// Appends events with O_APPEND; each line is one write, so lines never interleave. When the file
/// would pass `maxBytes` it becomes `events.jsonl.1` (older ones shift up to `.keep`, the oldest
/// is dropped) and a fresh file starts: a daemon that runs for months keeps a bounded log.
public final class EventLog: @unchecked Sendable {
    private var fd: Int32
    private let path: String
    private let encoder: JSONEncoder
    private let maxBytes: Int
    private let keep: Int
    private var size: Int

    public init(path: String, maxBytes: Int = 64 << 20, keep: Int = 4) throws {
        self.path = path; self.maxBytes = maxBytes; self.keep = max(1, keep)
        fd = try Self.open(path)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = Timestamps.encoding
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileSystemError("cannot open event log \(path)") }
        return fd
    }

    deinit { close(fd) }

    public func append(_ event: Event) {
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        if size > 0 && size + data.count > maxBytes { rotate() }
        data.withUnsafeBytes { if write(fd, $0.baseAddress!, $0.count) > 0 { size += $0.count } }
    }

    /// On any error the current file is kept and appended to: losing events is worse than a big file.
    private func rotate() {
        for k in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(k)", "\(path).\(k + 1)") }
        guard rename(path, "\(path).1") == 0, let fresh = try? Self.open(path) else { return }
        close(fd)
        fd = fresh
        size = 0
    }

    public static func read(path: String) -> [Event] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let d = ManifestStore.decoder()
        return text.split(separator: "\n").compactMap { try? d.decode(Event.self, from: Data($0.utf8)) }
    }
}
