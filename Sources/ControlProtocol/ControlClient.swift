import Foundation

public struct ControlClientError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Sends one request over the Unix socket and reads one response line.
public enum ControlClient {
    public static func send(_ request: Request, socketPath: String, timeout: Double = 30) throws -> Response {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ControlClientError(description: "cannot create a socket") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard let rc = UnixAddress.with(socketPath, { connect(fd, $0, $1) }) else {
            throw ControlClientError(description: "socket path is too long: \(socketPath)")
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            throw ControlClientError(description: "photopiped is not running (cannot connect to \(socketPath): \(reason)). Start it with `systemctl start photopiped`, or pass --socket.")
        }
        let line = try ControlCoding.encodeLine(request)
        let sent = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard sent == line.count else { throw ControlClientError(description: "the daemon closed the connection") }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            if let nl = buffer.firstIndex(of: 0x0A) { buffer = buffer[..<nl]; break }
        }
        guard !buffer.isEmpty else { throw ControlClientError(description: "no answer from photopiped on \(socketPath)") }
        do { return try ControlCoding.decoder().decode(Response.self, from: buffer) }
        catch { throw ControlClientError(description: "photopiped sent an answer this pipectl cannot read (\(error))") }
    }
}
