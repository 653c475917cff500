import Foundation

/// The conversation with a serving child (`photopiped preview --serve`): one JSON line asked on
/// its stdin, one JSON line answered on its stdout, as many times as the runner likes.
extension WorkbenchPreview {
    public struct Question: Codable, Sendable {
        public var assetDir: String
        public var asset: String
        /// `Kind.option`.
        public var kind: String

        public init(assetDir: String, asset: String, kind: Kind) {
            self.assetDir = assetDir; self.asset = asset; self.kind = kind.option
        }
    }

    public struct Answer: Codable, Sendable {
        /// The preview made or found.
        public var path: String?
        /// Why there is none; the child goes on serving.
        public var error: String?
    }

    /// The child's loop: answers questions from `input` until it ends or `parent` (when not 0) is
    /// no longer this process's parent. A question that cannot be read is answered with an error,
    /// never by stopping.
    public func serve(input: FileHandle = .standardInput, output: FileHandle = .standardOutput, parent: Int32 = 0) {
        var lines = LineReader(input, while: { parent == 0 || getppid() == parent })
        while let line = lines.next() {
            var answer = Answer()
            do {
                let q = try JSONDecoder().decode(Question.self, from: Data(line.utf8))
                guard let kind = Kind(option: q.kind) else { throw Failure("no such preview: \(q.kind)") }
                answer.path = try make(asset: q.asset, assetDir: q.assetDir, kind: kind)
            } catch {
                answer.error = "\(error)"
            }
            var data = (try? JSONEncoder().encode(answer)) ?? Data(#"{"error":"cannot encode the answer"}"#.utf8)
            data.append(0x0A)
            output.write(data)
        }
    }
}

/// What one read(2) of `fd` gives, retried when interrupted; nil at the end or on an error.
func readSome(_ fd: Int32, upTo count: Int = 65536) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return nil }
        return Array(buffer[..<n])
    }
}

/// Lines of a file handle, read as they arrive (not to its end first), while `wanted` says so
/// (asked at least once a second).
struct LineReader {
    private let handle: FileHandle
    private let wanted: () -> Bool
    private var pending = [UInt8]()

    init(_ handle: FileHandle, while wanted: @escaping () -> Bool = { true }) { self.handle = handle; self.wanted = wanted }

    /// The next line without its newline; nil at the end, or once no longer wanted.
    mutating func next() -> String? {
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            var fd = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, 1000)
            guard wanted() else { return nil }
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            guard let more = readSome(handle.fileDescriptor) else {
                defer { pending = [] }
                return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
            }
            pending.append(contentsOf: more)
        }
    }
}
