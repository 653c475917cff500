/// A colour signature of a frame: its 8×8 sRGB thumbnail (192 bytes, hex in the manifest).
/// Two frames' distance is the mean absolute difference of those bytes (0–255): the same
/// shot re-encoded or nudged stays within a few levels; another product, colour or pose does not.
/// (A grey difference hash was measured first and could not tell a red product from a blue one
/// of the same shape on a white sweep.)
public enum PerceptualHash {
    public static let side = 8

    public static func signature(_ image: Image) throws -> String {
        let px = try image.rgbThumbnail(width: side, height: side)
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(px.count * 2)
        for b in px { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return s
    }

    /// Mean absolute difference of two signatures; nil when either is malformed.
    public static func distance(_ a: String, _ b: String) -> Double? {
        guard let x = bytes(a), let y = bytes(b), x.count == y.count, !x.isEmpty else { return nil }
        var total = 0
        for i in 0..<x.count { total += abs(Int(x[i]) - Int(y[i])) }
        return Double(total) / Double(x.count)
    }

    static func bytes(_ hex: String) -> [UInt8]? {
        let c = Array(hex.utf8)
        guard c.count % 2 == 0, c.count == side * side * 6 else { return nil }
        func nibble(_ v: UInt8) -> UInt8? {
            switch v {
            case 48...57: v - 48
            case 97...102: v - 87
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(c.count / 2)
        var i = 0
        while i < c.count {
            guard let h = nibble(c[i]), let l = nibble(c[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}
