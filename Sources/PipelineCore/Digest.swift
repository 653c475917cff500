import CSystem
import Foundation

/// SHA-256 and HMAC-SHA256, the one place photopipe computes them (GLib's, through CSystem):
/// originals and outputs, S3 request signing, webhook signatures and delivery ids.
public enum SHA256 {
    public static func hex(_ data: Data) -> String {
        var hex = [CChar](repeating: 0, count: 65)
        data.withUnsafeBytes { pp_sha256_hex($0.baseAddress, $0.count, &hex) }
        return String(cString: hex)
    }

    public static func hmac(key: [UInt8], _ data: Data) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { k in data.withUnsafeBytes { d in pp_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, &out) } }
        return out
    }

    public static func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// A file's SHA-256 and size.
public struct FileDigest: Sendable, Equatable {
    public let sha256: String
    public let bytes: Int

    /// Streams a regular file (never a symlink or a FIFO) through SHA-256.
    public static func of(_ path: String) throws -> FileDigest {
        var hex = [CChar](repeating: 0, count: 65)
        var bytes: Int64 = 0
        guard pp_sha256_file(path, &hex, &bytes) == 0 else {
            throw FileSystemError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return FileDigest(sha256: String(cString: hex), bytes: Int(bytes))
    }

    /// SHA-256 of bytes already in memory (a file just written from them need not be read again).
    public static func of(_ data: [UInt8]) -> FileDigest {
        FileDigest(sha256: SHA256.hex(Data(data)), bytes: data.count)
    }
}
