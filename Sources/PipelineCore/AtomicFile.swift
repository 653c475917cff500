import CLinux
import Foundation

public struct FileSystemError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let errno: Int32
    public var description: String { message }

    public init(_ what: String, errno e: Int32 = Glibc.errno) {
        message = "\(what): \(String(cString: strerror(e)))"
        errno = e
    }
}

/// Write-to-temporary, fsync, rename: a reader sees the old file or the new one, never half of one.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileSystemError("cannot create \(tmp)") }
        var ok = true
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                off += n
            }
        }
        let saved = errno
        if !ok || fsync(fd) != 0 {
            let e = ok ? errno : saved
            close(fd); unlink(tmp)
            throw FileSystemError("cannot write \(tmp)", errno: e)
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw FileSystemError("cannot rename \(tmp) to \(path)", errno: e)
        }
    }

    /// Makes a rename in `dir` durable.
    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

public enum FileOps {
    /// rename(2) that never replaces an existing destination (the inbox is shared with sync tools).
    public static func move(_ from: String, _ to: String) throws {
        guard pl_rename_noreplace(from, to) == 0 else {
            throw FileSystemError("cannot move \(from) to \(to)")
        }
    }

    /// Makes a regular file read-only without following a symlink that may have been swapped in.
    public static func makeReadOnly(_ path: String) throws {
        guard pl_chmod_regular_nofollow(path, 0o444) == 0 else { throw FileSystemError("cannot make \(path) read-only") }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A name in `dir` that does not exist yet: `name`, else `stem-2.ext`, `stem-3.ext`, …
    public static func freeName(in dir: String, for name: String) -> String {
        if !exists("\(dir)/\(name)") { return name }
        let (stem, ext) = splitExtension(name)
        var n = 2
        while true {
            let candidate = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)"
            if !exists("\(dir)/\(candidate)") { return candidate }
            n += 1
        }
    }
}
