import Foundation

/// Writes all of `raw` to a socket (no SIGPIPE); false when the peer is gone or stopped reading
/// past the socket's send timeout.
func sendAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
    var off = 0
    while off < raw.count {
        let n = send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        off += n
    }
    return true
}
