import CShims
import ControlProtocol
import Foundation

/// The Unix control socket. Each connection gets a thread: it reads size-limited
/// request lines, asks the supervisor through the mailbox, and writes the answer.
/// A bad or slow client only ever affects its own connection.
final class ControlServer: @unchecked Sendable {
    let path: String
    private let mailbox: Mailbox
    private var listenFD: Int32 = -1
    private let lock = NSLock()
    private var open = 0
    private var openByUID: [UInt32: Int] = [:]
    static let maxConnections = 32
    /// One user cannot take every slot (root always gets in while slots remain).
    static let maxPerUser = 8
    static let idleTimeout = 30
    /// A connection lives at most this long, however slowly it trickles bytes.
    static let maxLifetime = 120.0

    init(path: String, mailbox: Mailbox) {
        self.path = path
        self.mailbox = mailbox
    }

    /// Binds the socket with mode 0660 (group `group` when it exists).
    func start(group: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("cannot create the control socket: \(String(cString: strerror(errno)))") }
        guard let rc = UnixAddress.with(path, { bind(fd, $0, $1) }) else {
            close(fd)
            throw DaemonError("socket path too long: \(path)")
        }
        guard rc == 0 else { close(fd); throw DaemonError("cannot bind \(path): \(String(cString: strerror(errno)))") }
        if let g = getgrnam(group) { _ = chown(path, UInt32.max, g.pointee.gr_gid) }
        chmod(path, 0o660)
        guard listen(fd, 64) == 0 else { close(fd); throw DaemonError("cannot listen on \(path)") }
        listenFD = fd
        let t = Thread { [self] in acceptLoop(fd) }
        t.name = "control-accept"
        t.start()
    }

    func stop() {
        if listenFD >= 0 { shutdown(listenFD, Int32(SHUT_RDWR)); close(listenFD); listenFD = -1 }
        unlink(path)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(200_000); continue // out of descriptors: back off
                default: return // the socket was closed: shutting down
                }
            }
            var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
            guard pp_peer_credentials(client, &pid, &uid, &gid) == 0 else {
                reply(client, .failure("cannot read the peer's credentials"))
                close(client)
                continue
            }
            lock.lock()
            let mine = openByUID[uid, default: 0]
            let allowed = open < Self.maxConnections && (uid == 0 || mine < Self.maxPerUser)
            if allowed { open += 1; openByUID[uid] = mine + 1 }
            lock.unlock()
            if !allowed {
                reply(client, .failure("too many control connections; try again"))
                close(client)
                continue
            }
            let peer = Peer(pid: pid, uid: uid, gid: gid)
            let t = Thread { [self] in
                serve(client, peer)
                close(client)
                lock.lock()
                open -= 1
                openByUID[peer.uid, default: 1] -= 1
                if openByUID[peer.uid] == 0 { openByUID[peer.uid] = nil }
                lock.unlock()
            }
            t.name = "control-client"
            t.start()
        }
    }

    private func serve(_ fd: Int32, _ peer: Peer) {
        var tv = timeval(tv_sec: Self.idleTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(Self.maxLifetime)
        var pending = Data()
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            while let nl = pending.firstIndex(of: 0x0A) {
                let line = Data(pending[pending.startIndex..<nl])
                pending = Data(pending[(nl + 1)...])
                if !line.isEmpty { reply(fd, answer(line, peer)) }
            }
            if pending.count > maxRequestBytes {
                reply(fd, .failure("request too large (limit \(maxRequestBytes) bytes)"))
                return
            }
            if Date() > deadline { return }
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            pending.append(contentsOf: buf[0..<n])
        }
    }

    private func answer(_ line: Data, _ peer: Peer) -> Response {
        let request: Request
        do { request = try JSONDecoder().decode(Request.self, from: line) }
        catch { return .failure("malformed request: expected one JSON object per line with 'version' and 'command' (\(Self.brief(error)))") }
        guard request.version == controlProtocolVersion else {
            return .failure("protocol version \(request.version) is not supported; this daemon speaks version \(controlProtocolVersion)")
        }
        let slot = ReplySlot()
        mailbox.post(.control(request, peer, slot))
        return slot.wait(timeout: 60) ?? .failure("the daemon did not answer in time")
    }

    private func reply(_ fd: Int32, _ r: Response) {
        guard let data = try? ControlCoding.encodeLine(r) else { return }
        _ = data.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func brief(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case .dataCorrupted(let c): return c.debugDescription
            case .keyNotFound(let k, _): return "missing '\(k.stringValue)'"
            case .typeMismatch(_, let c): return c.debugDescription
            case .valueNotFound(_, let c): return c.debugDescription
            @unknown default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
