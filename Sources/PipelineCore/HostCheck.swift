import Foundation

/// What a config names on this machine and must find there: checked by `check-config` and on
/// reload, not when a config is parsed (tests and `process` read configs for other machines).
public enum HostCheck {
    /// Refusals: a folder delivery target whose folder is missing (a typo, or a share not mounted:
    /// files would land on the local disk instead).
    public static func errors(_ c: Config) -> [String] {
        watchFolderErrors(c) + c.delivery.targets.values.sorted { $0.name < $1.name }.compactMap { t in
            guard t.kind == .folder, let path = t.path else { return nil }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return nil }
            return "[delivery.target.\(t.name)]: path \(path) is not a folder here; create it, or mount the share it stands for"
        }
    }

    /// A watch folder must be there, and on the root's filesystem: a claim is a rename.
    static func watchFolderErrors(_ c: Config) -> [String] {
        var rootStat = stat()
        let rootDevice: UInt64? = stat(c.root, &rootStat) == 0 ? UInt64(rootStat.st_dev) : nil
        return c.watchFolders.values.sorted { $0.name < $1.name }.compactMap { f in
            guard let path = f.path else { return nil }
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                return "[watch.folder.\(f.name)]: path \(path) is not a folder here; create it, or mount the share it stands for"
            }
            if let rootDevice, UInt64(st.st_dev) != rootDevice {
                return "[watch.folder.\(f.name)]: path \(path) is on another filesystem than the root \(c.root); frames are taken by renaming, so put the folder on the root's filesystem (or bind-mount it there)"
            }
            return nil
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
