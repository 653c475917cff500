import CShims
import Glibc

public struct FileDigest: Sendable, Equatable {
    public let sha256: String
    public let bytes: Int

    /// Streams the file through SHA-256 (GLib's implementation, already linked by libvips).
    public static func of(_ path: String) throws -> FileDigest {
        var hex = [CChar](repeating: 0, count: 65)
        var bytes: Int64 = 0
        guard pp_sha256_file(path, &hex, &bytes) == 0 else {
            throw ImagingError(message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return FileDigest(sha256: String(cString: hex), bytes: Int(bytes))
    }

    /// SHA-256 of bytes already in memory (a file just written from them need not be read again).
    public static func of(_ data: [UInt8]) -> FileDigest {
        var hex = [CChar](repeating: 0, count: 65)
        data.withUnsafeBytes { pp_sha256_hex($0.baseAddress, $0.count, &hex) }
        return FileDigest(sha256: String(cString: hex), bytes: data.count)
    }
}
