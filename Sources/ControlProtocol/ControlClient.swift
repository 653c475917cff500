import Foundation

public struct ControlClientError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Sends one request over the Unix socket and reads one response line.
public enum ControlClient {
    public static func send(_ request: Request, socketPath: String, timeout: Double = 30) throws -> Response {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlClientError(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard let rc = UnixAddress.with(socketPath, { connect(fd, $0, $1) }) else {
            throw ControlClientError(description: "socket path is too long: \(socketPath)")
        }
        guard rc == 0 else { throw ControlClientError(description: connectFailure(errno, socketPath: socketPath)) }
        let line = try ControlCoding.encodeLine(request)
        // MSG_NOSIGNAL: a daemon that closes the connection is an error to report, not a SIGPIPE death.
        var writeError: Int32 = 0
        line.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { writeError = errno; return }
                off += n
            }
        }
        // Even when it stopped reading, the daemon may have said why before closing: read that first.
        var buffer = Data()
        var readError: Int32 = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { readError = errno; break }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            if let nl = buffer.firstIndex(of: 0x0A) { buffer = buffer[..<nl]; break }
        }
        guard !buffer.isEmpty else {
            throw ControlClientError(description: noAnswer(writeError: writeError, readError: readError, socketPath: socketPath, timeout: timeout))
        }
        do { return try ControlCoding.decoder().decode(Response.self, from: buffer) }
        catch { throw ControlClientError(description: "photopiped sent an answer this pipectl cannot read (\(error))") }
    }

    /// Why no answer came: the daemon closed the connection early, or took too long.
    static func noAnswer(writeError: Int32, readError: Int32, socketPath: String, timeout: Double) -> String {
        if readError == EAGAIN || readError == EWOULDBLOCK || writeError == EAGAIN || writeError == EWOULDBLOCK {
            return "photopiped on \(socketPath) did not answer within \(Int(timeout)) s"
        }
        let how: String
        if writeError != 0 {
            how = "before taking the request (\(String(cString: strerror(writeError))))"
        } else if readError != 0 {
            how = "before answering (\(String(cString: strerror(readError))))"
        } else {
            how = "before answering"
        }
        return "photopiped closed the connection on \(socketPath) \(how); it may be restarting or shedding connections, so try again"
    }

    /// One sentence for a failed connect(2): not running, or not allowed (and how to become allowed).
    static func connectFailure(_ code: Int32, socketPath: String) -> String {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT, ECONNREFUSED:
            return "photopiped is not running (cannot connect to \(socketPath): \(reason)). Start it with `systemctl start photopiped`, or pass --socket."
        case EACCES, EPERM:
            let user = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(getuid())"
            var st = stat()
            guard stat(socketPath, &st) == 0 else {
                return accessDeniedMessage(socketPath: socketPath, user: user, group: nil, listed: false, inSession: false, groupCanConnect: false)
            }
            let group = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "\(st.st_gid)"
            return accessDeniedMessage(socketPath: socketPath, user: user, group: group,
                                       listed: userListed(in: st.st_gid), inSession: sessionHas(st.st_gid),
                                       groupCanConnect: st.st_mode & 0o020 != 0)
        default:
            return "cannot connect to photopiped at \(socketPath): \(reason)"
        }
    }

    /// The EACCES sentence. `group` nil: the socket could not even be looked at (a closed directory).
    /// `listed`: the user is a member in the group database; `inSession`: this process has the group.
    public static func accessDeniedMessage(socketPath: String, user: String, group: String?, listed: Bool,
                                           inSession: Bool, groupCanConnect: Bool) -> String {
        guard let group else {
            return "permission denied: \(user) cannot reach \(socketPath) (a directory on the way is closed to them)"
        }
        if !groupCanConnect {
            return "permission denied on \(socketPath): its mode does not let group '\(group)' connect (expected 0660); restart photopiped or fix the socket's mode"
        }
        if inSession {
            return "permission denied on \(socketPath), although \(user) is in its group '\(group)'"
        }
        if listed {
            return "permission denied on \(socketPath): \(user) was added to group '\(group)' after this login; log in again (or run `newgrp \(group)`)"
        }
        return "permission denied on \(socketPath): the control socket belongs to group '\(group)' and \(user) is not in it. Join it with `sudo usermod -aG \(group) \(user)`, then log in again."
    }

    /// Is the calling user a member of `gid` in the group database (perhaps not yet in this session)?
    static func userListed(in gid: gid_t) -> Bool {
        guard let pw = getpwuid(getuid()) else { return false }
        if pw.pointee.pw_gid == gid { return true }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(pw.pointee.pw_name, pw.pointee.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(pw.pointee.pw_name, pw.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        }
        return groups.prefix(Int(count)).contains(gid)
    }

    /// Does this process carry `gid` (effective or supplementary)?
    static func sessionHas(_ gid: gid_t) -> Bool {
        if getegid() == gid { return true }
        let n = getgroups(0, nil)
        guard n > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(n))
        let got = getgroups(n, &groups)
        return got > 0 && groups.prefix(Int(got)).contains(gid)
    }
}
