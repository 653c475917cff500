/// A SHA-256 as 32 bytes in place rather than a 64-character string on the heap: the delivery
/// index holds one per file, a hundred thousand and more. Anything that is not 64 hex digits is
/// kept as it came.
enum PackedDigest: Hashable {
    case sha256(UInt64, UInt64, UInt64, UInt64)
    case text(String)

    init(_ hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64, utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { self = .text(hex); return }
        func word(_ i: Int) -> UInt64 { UInt64(String(decoding: utf8[(i * 16)..<(i * 16 + 16)], as: UTF8.self), radix: 16)! }
        self = .sha256(word(0), word(1), word(2), word(3))
    }

    var hex: String {
        switch self {
        case .text(let s): return s
        case .sha256(let a, let b, let c, let d):
            return [a, b, c, d].map { w in
                let s = String(w, radix: 16)
                return String(repeating: "0", count: 16 - s.count) + s
            }.joined()
        }
    }
}
