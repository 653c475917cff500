import Foundation

/// The user database's word on a control-socket peer: its name and groups, looked up once per
/// connection on the connection's own thread (NSS may ask a directory server). Reentrant calls
/// only: several connection threads ask at once.
enum PeerIdentity {
    static func peer(pid: Int32, uid: UInt32, gid: UInt32) -> Peer {
        guard let found = user(uid: uid) else { return Peer(pid: pid, uid: uid, gid: gid) }
        return Peer(pid: pid, uid: uid, gid: gid, person: "\(found.name) (uid \(uid))", groups: groups(user: found.name, primary: found.gid))
    }

    static func person(uid: UInt32) -> String? { user(uid: uid).map { "\($0.name) (uid \(uid))" } }

    /// Name and primary group through getpwuid_r (getpwuid's static buffer is shared by every thread).
    static func user(uid: UInt32) -> (name: String, gid: UInt32)? {
        var size = max(1024, sysconf(Int32(_SC_GETPW_R_SIZE_MAX)))
        while size <= 1 << 20 {
            var pw = passwd(), result: UnsafeMutablePointer<passwd>?
            var buf = [CChar](repeating: 0, count: size)
            let rc = getpwuid_r(uid, &pw, &buf, buf.count, &result)
            if rc == ERANGE { size *= 4; continue }
            guard rc == 0, result != nil, let name = pw.pw_name else { return nil }
            return (String(cString: name), pw.pw_gid)
        }
        return nil
    }

    static func groups(user: String, primary: UInt32) -> [UInt32] {
        var count: Int32 = 64
        while count <= 65_536 {
            var found = [gid_t](repeating: 0, count: Int(count))
            var n = count
            if getgrouplist(user, primary, &found, &n) >= 0 { return Array(found.prefix(Int(n))) }
            count = max(n, count * 2)
        }
        return [primary]
    }

    /// A group's id by name through getgrnam_r; nil when there is no such group.
    static func gid(ofGroup name: String) -> UInt32? {
        var size = max(1024, sysconf(Int32(_SC_GETGR_R_SIZE_MAX)))
        while size <= 1 << 22 {
            var gr = group(), result: UnsafeMutablePointer<group>?
            var buf = [CChar](repeating: 0, count: size)
            let rc = getgrnam_r(name, &gr, &buf, buf.count, &result)
            if rc == ERANGE { size *= 4; continue }
            guard rc == 0, result != nil else { return nil }
            return gr.gr_gid
        }
        return nil
    }
}
