import Foundation

/// One answer as it came off the wire.
struct HTTPReply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func all(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw HTTPTestError("not a JSON object: \(text.prefix(300))")
        }
        return o
    }

    /// The value a `Set-Cookie` of this answer gives `name`, and the whole header line.
    func cookie(_ name: String) -> (value: String, line: String)? {
        for line in all("set-cookie") {
            let first = line.split(separator: ";", maxSplits: 1).first ?? ""
            let kv = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == name { return (String(kv[1]), line) }
        }
        return nil
    }
}

struct HTTPTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// HTTP/1.1 over a raw TCP socket: the tests must send paths exactly as written (`..` and all,
/// which URLSession would normalise), several requests on one connection, HEAD, and read an event
/// stream a line at a time; cookies are kept by the caller.
final class HTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeout: Double = 60) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError("socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // On a throw, deinit closes the socket.
        guard rc == 0 else { throw HTTPTestError("connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        setTimeout(timeout)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HTTPTestError("send: \(String(cString: strerror(errno)))") }
            off += n
        }
    }

    /// Writes one request; `Content-Length` is added for a body.
    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [], close: Bool = false) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
    }

    /// More bytes, or false at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw HTTPTestError("recv: \(String(cString: strerror(errno)))") }
            if n == 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    /// The next answer; a HEAD answer has no body whatever its Content-Length says.
    func readReply(head: Bool = false) throws -> HTTPReply {
        let marker = Array("\r\n\r\n".utf8)
        var end: Int?
        while true {
            end = Self.find(marker, in: buffer)
            if end != nil { break }
            guard try fill() else { throw HTTPTestError("the connection ended before an answer's head (\(buffer.count) bytes)") }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HTTPTestError("bad status line in \(headText)") }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var reply = HTTPReply(status: status, headers: headers, body: [])
        if head { return reply }
        if let cl = reply.header("content-length"), let length = Int(cl) {
            while buffer.count < length {
                guard try fill() else { throw HTTPTestError("the body ended after \(buffer.count) of \(length) bytes") }
            }
            reply.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            while try fill() {}
            reply.body = buffer
            buffer.removeAll()
        }
        return reply
    }

    /// Reads the stream until `done` holds for everything read so far (an event stream's text).
    func read(until done: (String) -> Bool) throws -> String {
        while !done(String(decoding: buffer, as: UTF8.self)) {
            guard try fill() else { throw HTTPTestError("the stream ended; read:\n\(String(decoding: buffer, as: UTF8.self))") }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Whether the server has closed its side (nothing more to read, within `timeout`).
    func isClosed(timeout: Double) -> Bool {
        setTimeout(timeout)
        return (try? fill()) == false
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}

/// The width and height a JPEG's start-of-frame segment declares.
func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
    var i = 2
    while i + 9 < bytes.count {
        guard bytes[i] == 0xFF else { return nil }
        let marker = bytes[i + 1]
        if marker == 0xFF { i += 1; continue }
        let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        // SOF0…SOF15, but not DHT (C4), JPG (C8) or DAC (CC).
        if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
            return (Int(bytes[i + 7]) << 8 | Int(bytes[i + 8]), Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]))
        }
        i += 2 + length
    }
    return nil
}
