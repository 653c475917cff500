import Foundation

/// Reads one request at a time out of the bytes a connection has received. Strict on purpose:
/// HTTP/1.0 or 1.1, GET, HEAD or POST, a body only by Content-Length, bounded head and body.
public struct HTTPRequestParser {
    public enum Outcome {
        /// Not a whole request yet.
        case needMore
        case request(HTTPRequest)
        /// Answer with this status and close.
        case refuse(status: Int, why: String)
    }

    public static let maxHeadBytes = 16 * 1024
    public static let maxHeaders = 64
    public let maxBodyBytes: Int
    private var buffer: [UInt8] = []

    public init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    public mutating func feed(_ bytes: some Collection<UInt8>) { buffer.append(contentsOf: bytes) }

    public var isEmpty: Bool { buffer.isEmpty }

    /// The next request, if the buffer holds one; its bytes are consumed.
    public mutating func next() -> Outcome {
        guard let headEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer) else {
            return buffer.count > Self.maxHeadBytes ? .refuse(status: 431, why: "request head too large") : .needMore
        }
        guard headEnd <= Self.maxHeadBytes else { return .refuse(status: 431, why: "request head too large") }
        guard let head = String(validating: buffer[0..<headEnd], as: UTF8.self) else {
            return .refuse(status: 400, why: "request head is not UTF-8")
        }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .refuse(status: 400, why: "malformed request line")
        }
        let method = String(parts[0])
        guard ["GET", "HEAD", "POST"].contains(method) else { return .refuse(status: 405, why: "method not allowed") }
        let target = parts[1]
        guard target.hasPrefix("/") else { return .refuse(status: 400, why: "request target must be a path") }
        guard lines.count - 1 <= Self.maxHeaders else { return .refuse(status: 431, why: "too many header fields") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                return .refuse(status: 400, why: "malformed header line")
            }
            let name = line[..<colon].lowercased()
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { return .refuse(status: 400, why: "malformed header name") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let old = headers[name] {
                // Two lengths, or two hosts, are how requests get smuggled: refuse them.
                guard name != "content-length", name != "host" else { return .refuse(status: 400, why: "repeated \(name)") }
                headers[name] = name == "cookie" ? "\(old); \(value)" : "\(old), \(value)"
            } else {
                headers[name] = value
            }
        }
        if headers["transfer-encoding"] != nil { return .refuse(status: 501, why: "chunked bodies are not accepted; send Content-Length") }
        var length = 0
        if let cl = headers["content-length"] {
            guard let n = Int(cl), n >= 0 else { return .refuse(status: 400, why: "bad Content-Length") }
            length = n
        }
        guard length <= maxBodyBytes else { return .refuse(status: 413, why: "request body over \(maxBodyBytes) bytes") }
        let bodyStart = headEnd + 4
        guard buffer.count >= bodyStart + length else { return .needMore }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)

        let rawTarget = String(target)
        let q = rawTarget.firstIndex(of: "?")
        let rawPath = q.map { String(rawTarget[..<$0]) } ?? rawTarget
        let query = q.map { HTTPRequest.decodeQuery(rawTarget[rawTarget.index(after: $0)...]) } ?? [:]
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = parts[2] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return .request(HTTPRequest(method: method, rawPath: rawPath, query: query, headers: headers, body: body, keepAlive: keepAlive))
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
