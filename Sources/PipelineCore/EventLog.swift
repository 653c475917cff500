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

/// Appends events with O_APPEND; each line is one write, so lines never interleave.
public final class EventLog: @unchecked Sendable {
    private let fd: Int32
    private let encoder: JSONEncoder

    public init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileSystemError("cannot open event log \(path)") }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = Timestamps.encoding
    }

    deinit { close(fd) }

    public func append(_ event: Event) {
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        data.withUnsafeBytes { _ = write(fd, $0.baseAddress!, $0.count) }
    }

    public static func read(path: String) -> [Event] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let d = ManifestStore.decoder()
        return text.split(separator: "\n").compactMap { try? d.decode(Event.self, from: Data($0.utf8)) }
    }
}
