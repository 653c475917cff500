import Foundation

/// What a config names on this machine and must find there: checked by `check-config` and on
/// reload, not when a config is parsed (tests and `process` read configs for other machines).
public enum HostCheck {
    /// Refusals: a folder delivery target whose folder is missing (a typo, or a share not mounted:
    /// files would land on the local disk instead).
    public static func errors(_ c: Config) -> [String] {
        c.delivery.targets.values.sorted { $0.name < $1.name }.compactMap { t in
            guard t.kind == .folder, let path = t.path else { return nil }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return nil }
            return "[delivery.target.\(t.name)]: path \(path) is not a folder here; create it, or mount the share it stands for"
        }
    }

    /// Warnings: groups that do not exist, so nobody but root and the service user may use pipectl.
    public static func warnings(_ c: Config) -> [String] {
        var out: [String] = []
        if getgrnam(c.socketGroup) == nil {
            out.append("'daemon.socket_group' \(c.socketGroup) does not exist: the socket stays with the service user's group, and only root and the service user can use pipectl (sudo groupadd --system \(c.socketGroup))")
        }
        if getgrnam(c.reviewGroup) == nil {
            out.append("'review.group' \(c.reviewGroup) does not exist: nobody but root and the service user may approve or reject with pipectl (sudo groupadd --system \(c.reviewGroup))")
        }
        return out
    }
}
