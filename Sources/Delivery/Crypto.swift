import CShims
import Foundation

/// SHA-256 and HMAC-SHA256 (GLib's, through CShims).
public enum Crypto {
    public static func sha256Hex(_ data: Data) -> String {
        var hex = [CChar](repeating: 0, count: 65)
        data.withUnsafeBytes { pp_sha256_hex($0.baseAddress, $0.count, &hex) }
        return String(decoding: hex.prefix(64).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func hmacSHA256(key: [UInt8], _ data: Data) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { k in data.withUnsafeBytes { d in pp_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, &out) } }
        return out
    }

    public static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
