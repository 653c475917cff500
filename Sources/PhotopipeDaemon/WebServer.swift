import CSystem
import Foundation
import Logging
import Workbench

/// The workbench's HTTP/1.1 listener: a thread per connection, like the control socket, with a cap
/// on connections and event streams, a deadline for each request head, an idle limit between
/// keep-alive requests, and a send timeout so a client that stops reading cannot hold a thread.
final class WebServer: @unchecked Sendable {
    static let maxConnections = 128
    static let maxStreams = 32
    static let headTimeout: TimeInterval = 10
    static let idleTimeout: TimeInterval = 30
    static let pingEvery: TimeInterval = 15

    private var currentRouter: WorkbenchRouter
    /// What answers requests; a reload swaps it while connections stay open.
    var router: WorkbenchRouter {
        get { lock.lock(); defer { lock.unlock() }; return currentRouter }
        set { lock.lock(); currentRouter = newValue; lock.unlock() }
    }
    let hub: WebEventHub
    let log: Logger
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var clients = Set<Int32>()
    private var streams = 0
    private var stopping = false
    private(set) var boundAddress = ""

    init(router: WorkbenchRouter, hub: WebEventHub, log: Logger) {
        self.currentRouter = router; self.hub = hub; self.log = log
    }

    /// Binds the address; port 0 picks a free one (see `boundAddress`).
    func start(host: String, port: Int) throws {
        let listen = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, "\(port)", &hints, &res)
        guard rc == 0, let ai = res else {
            throw WebServerError("cannot resolve the workbench address '\(listen)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(res) }
        let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WebServerError("cannot open a socket for the workbench: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw WebServerError("cannot listen on \(listen) for the workbench: \(why) (set [web] listen to a free address, or \"off\")")
        }
        guard Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw WebServerError("cannot listen on \(listen): \(String(cString: strerror(errno)))")
        }
        boundAddress = Self.localAddress(fd) ?? listen
        lock.lock(); listenFD = fd; lock.unlock()
        let t = Thread { [self] in acceptLoop(fd) }
        t.name = "web-accept"
        t.start()
    }

    func stop() {
        lock.lock()
        stopping = true
        let fd = listenFD
        listenFD = -1
        let open = clients
        lock.unlock()
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        hub.closeAll()
        for c in open { shutdown(c, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            var addr = sockaddr_storage()
            var len = UInt32(MemoryLayout<sockaddr_storage>.size)
            let client = pp_accept_cloexec(fd, &addr, &len)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(200_000); continue
                default: return
                }
            }
            lock.lock()
            let full = clients.count >= Self.maxConnections || stopping
            if !full { clients.insert(client) }
            lock.unlock()
            if full {
                _ = Self.send(client, HTTPResponse.text("too many connections; try again\n", status: 503).serialize(keepAlive: false))
                close(client)
                continue
            }
            let peer = WebClient(address: Self.address(of: addr))
            let t = Thread { [self] in
                serve(client, peer)
                lock.lock(); clients.remove(client); lock.unlock()
                close(client)
            }
            t.name = "web-client"
            t.start()
        }
    }

    private func serve(_ fd: Int32, _ client: WebClient) {
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var parser = HTTPRequestParser(maxBodyBytes: WorkbenchRouter.maxBodyBytes)
        var buf = [UInt8](repeating: 0, count: 16384)
        var due = Date().addingTimeInterval(Self.headTimeout)
        while true {
            switch parser.next() {
            case .refuse(let status, let why):
                _ = Self.send(fd, HTTPResponse.text("\(why)\n", status: status).serialize(keepAlive: false))
                return
            case .request(let request):
                switch router.handle(request, from: client) {
                case .response(let resp):
                    let keep = request.keepAlive && !isStopping
                    guard Self.send(fd, resp.serialize(head: request.method == "HEAD", keepAlive: keep)), keep else { return }
                    due = Date().addingTimeInterval(Self.idleTimeout)
                    continue
                case .events:
                    stream(fd)
                    return
                }
            case .needMore: break
            }
            let left = due.timeIntervalSinceNow
            if left <= 0 {
                if !parser.isEmpty { _ = Self.send(fd, HTTPResponse.text("request timeout\n", status: 408).serialize(keepAlive: false)) }
                return
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, (left * 1000).rounded(.up))))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = read(fd, &buf, buf.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { return }
            parser.feed(buf[0..<n])
        }
    }

    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// Server-sent events until the client goes, the daemon stops, or the cap is reached.
    private func stream(_ fd: Int32) {
        lock.lock()
        let full = streams >= Self.maxStreams
        if !full { streams += 1 }
        lock.unlock()
        guard !full else {
            _ = Self.send(fd, HTTPResponse.text("too many event streams open\n", status: 503).serialize(keepAlive: false))
            return
        }
        defer { lock.lock(); streams -= 1; lock.unlock() }
        let sub = hub.subscribe()
        defer { hub.unsubscribe(sub) }
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n"
        for (k, v) in HTTPResponse.securityHeaders { head += "\(k): \(v)\r\n" }
        head += "\r\nretry: 2000\n: connected\n\n"
        guard Self.send(fd, Array(head.utf8)) else { return }
        while let frames = hub.take(sub, timeout: Self.pingEvery) {
            let text = frames.isEmpty ? ": ping\n\n" : frames.joined()
            guard Self.send(fd, Array(text.utf8)) else { return }
        }
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { sendAll(fd, $0) }
    }

    private static func address(of addr: sockaddr_storage) -> String {
        var a = addr
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let len = socklen_t(a.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, len, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        guard rc == 0 else { return "?" }
        let s = String(cString: host)
        return s.hasPrefix("::ffff:") ? String(s.dropFirst(7)) : s
    }

    private static func localAddress(_ fd: Int32) -> String? {
        var addr = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard rc == 0 else { return nil }
        let port: UInt16
        if addr.ss_family == sa_family_t(AF_INET6) {
            port = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
            return "[\(address(of: addr))]:\(port)"
        }
        port = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
        return "\(address(of: addr)):\(port)"
    }
}

struct WebServerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
