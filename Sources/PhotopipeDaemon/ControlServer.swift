import CSystem
import ControlProtocol
import Foundation

/// The Unix control socket. Each admitted connection gets a thread: it reads size-limited
/// request lines, asks the supervisor through the mailbox, and writes the answer.
///
/// Nobody can lock the socket up: every uid has a cap, some slots are kept for root and the
/// service user (the daemon's euid), a connection must send a whole request line within
/// `requestTimeout` (and may idle no longer than that between requests), and when the table or
/// its own cap is full, a connection from root or the service user takes the place of the
/// connection that has been idle longest instead of being refused.
final class ControlServer: @unchecked Sendable {
    let path: String
    private let mailbox: Mailbox
    private var listenFD: Int32 = -1
    private let lock = NSLock()
    /// Every connection with a serving thread, by id; guarded by `lock`.
    private var table: [Int: Connection] = [:]
    private var nextID = 0
    static let maxConnections = 32
    /// One uid cannot hold more than this many connections.
    static let maxPerUser = 8
    /// Slots that only root and the service user can take.
    static let reservedForPrivileged = 4
    /// A whole request line must arrive within this many seconds of connecting or of the previous answer.
    static let requestTimeout = 3.0
    /// An answer must be taken by the client within this many seconds.
    static let sendTimeout = 10
    /// A connection lives at most this long, however busy it keeps.
    static let maxLifetime = 120.0

    private final class Connection {
        let id: Int
        let fd: Int32
        let uid: UInt32
        /// Answering a request: never evicted.
        var busy = false
        /// Shut down to make room; no longer counted.
        var evicted = false
        var idleSince: Date
        init(id: Int, fd: Int32, uid: UInt32, now: Date) { self.id = id; self.fd = fd; self.uid = uid; idleSince = now }
    }

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
        guard listen(fd, 128) == 0 else { close(fd); throw DaemonError("cannot listen on \(path)") }
        listenFD = fd
        let t = Thread { [self] in acceptLoop(fd) }
        t.name = "control-accept"
        t.start()
    }

    func stop() {
        if listenFD >= 0 { shutdown(listenFD, Int32(SHUT_RDWR)); close(listenFD); listenFD = -1 }
        unlink(path)
    }

    static func isPrivileged(_ uid: UInt32) -> Bool { uid == 0 || uid == geteuid() }

    /// What admission decided for a new connection.
    enum Admission {
        case admitted(id: Int)
        case refused(String)
    }

    /// Registers a connection, evicting an idle one for root or the service user when needed.
    private func admit(fd: Int32, uid: UInt32) -> Admission {
        lock.lock(); defer { lock.unlock() }
        let live = table.values.filter { !$0.evicted }
        let mine = live.filter { $0.uid == uid }.count
        let privileged = Self.isPrivileged(uid)
        let open = Self.maxConnections - Self.reservedForPrivileged
        let full = live.count >= Self.maxConnections
            || (!privileged && live.filter { !Self.isPrivileged($0.uid) }.count >= open)
        if mine >= Self.maxPerUser || full {
            guard privileged else {
                if mine >= Self.maxPerUser {
                    return .refused("too many control connections from uid \(uid) (at most \(Self.maxPerUser) at once; idle ones close after \(Int(Self.requestTimeout)) s); close some and try again")
                }
                return .refused("too many control connections (all \(open) open to users other than root and the service user are taken); try again shortly")
            }
            // Root or the service user: the connection idle longest makes room (its own, when at its own cap).
            // A connection whose request is already waiting to be read is about to be busy: spared.
            let candidates = live.filter { c in
                var byte: UInt8 = 0
                return !c.busy && (mine < Self.maxPerUser || c.uid == uid)
                    && recv(c.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) < 0
            }
            guard let victim = candidates.min(by: { $0.idleSince < $1.idleSince }) else {
                return .refused("all \(Self.maxConnections) control connections are busy answering requests; try again")
            }
            victim.evicted = true
            // Still registered, so its descriptor is still its own: the serving thread wakes and exits.
            shutdown(victim.fd, Int32(SHUT_RDWR))
        }
        nextID += 1
        table[nextID] = Connection(id: nextID, fd: fd, uid: uid, now: Date())
        return .admitted(id: nextID)
    }

    /// Marks a connection busy before answering; false when it was evicted meanwhile.
    private func beginAnswer(_ id: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let c = table[id], !c.evicted else { return false }
        c.busy = true
        return true
    }

    private func endAnswer(_ id: Int) -> Date {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        table[id]?.busy = false
        table[id]?.idleSince = now
        return now
    }

    /// Unregisters, then closes: an eviction can only ever shut down a descriptor still this connection's.
    private func release(_ id: Int, fd: Int32) {
        lock.lock()
        table[id] = nil
        lock.unlock()
        close(fd)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = pp_accept_cloexec(fd, nil, nil)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(200_000); continue // out of descriptors: back off
                default: return // the socket was closed: shutting down
                }
            }
            var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
            guard pp_peer_credentials(client, &pid, &uid, &gid) == 0 else {
                refuse(client, "cannot read the peer's credentials")
                continue
            }
            switch admit(fd: client, uid: uid) {
            case .refused(let why):
                refuse(client, why)
            case .admitted(let id):
                // The user database is asked on the connection's thread: a slow directory server
                // must not hold up the accept loop.
                let t = Thread { [self, pid, uid, gid] in
                    serve(client, id: id, PeerIdentity.peer(pid: pid, uid: uid, gid: gid))
                    release(id, fd: client)
                }
                t.name = "control-client"
                t.start()
            }
        }
    }

    /// One line saying why, without ever blocking the accept loop, then close.
    private func refuse(_ fd: Int32, _ why: String) {
        notify(fd, why)
        close(fd)
    }

    private func serve(_ fd: Int32, id: Int, _ peer: Peer) {
        var tv = timeval(tv_sec: Self.sendTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let end = Date().addingTimeInterval(Self.maxLifetime)
        // A whole line is due by this time; trickling bytes does not move it.
        var due = Date().addingTimeInterval(Self.requestTimeout)
        var pending = Data()
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            while let nl = pending.firstIndex(of: 0x0A) {
                let line = Data(pending[pending.startIndex..<nl])
                pending = Data(pending[(nl + 1)...])
                if line.isEmpty { continue }
                guard beginAnswer(id) else { return }
                let ok = reply(fd, answer(line, peer))
                due = endAnswer(id).addingTimeInterval(Self.requestTimeout)
                if !ok { return }
            }
            if pending.count > maxRequestBytes {
                _ = reply(fd, .failure("request too large (limit \(maxRequestBytes) bytes)"))
                return
            }
            let now = Date()
            if now >= end { return }
            if now >= due {
                notify(fd, "closing: no whole request line within \(Int(Self.requestTimeout)) s")
                return
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(1, (min(due, end).timeIntervalSince(now) * 1000).rounded(.up)))
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return }
            if ready == 0 { continue }
            let n = read(fd, &buf, buf.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { return }
            pending.append(contentsOf: buf[0..<n])
        }
    }

    private func answer(_ line: Data, _ peer: Peer) -> Response {
        let request: Request
        do { request = try ControlCoding.decoder().decode(Request.self, from: line) }
        catch { return .failure("malformed request: expected one JSON object per line with 'version' and 'command' (\(Self.brief(error)))") }
        guard request.version == controlProtocolVersion else {
            return .failure("protocol version \(request.version) is not supported; this daemon speaks version \(controlProtocolVersion)")
        }
        let slot = ReplySlot()
        mailbox.post(.control(request, peer, slot))
        return slot.wait(timeout: 60) ?? .failure("the daemon did not answer in time")
    }

    /// Writes the whole answer; false when the client is gone or stopped reading.
    private func reply(_ fd: Int32, _ r: Response) -> Bool {
        guard let data = try? ControlCoding.encodeLine(r) else { return false }
        return data.withUnsafeBytes { sendAll(fd, $0) }
    }

    /// A last line before closing; dropped if the client is not reading.
    private func notify(_ fd: Int32, _ why: String) {
        if let data = try? ControlCoding.encodeLine(Response.failure(why)) {
            _ = data.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
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
