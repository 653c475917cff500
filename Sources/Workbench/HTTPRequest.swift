import Foundation

/// One HTTP/1.1 request as the workbench sees it: header names lower-cased, the path
/// percent-decoded, the body whole (bodies are small: forms and JSON).
public struct HTTPRequest: Sendable {
    public var method: String
    /// As sent, without the query (still percent-encoded).
    public var rawPath: String
    public var query: [String: String]
    public var headers: [String: String]
    public var body: [UInt8]
    public var keepAlive: Bool

    public init(method: String, rawPath: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method; self.rawPath = rawPath; self.query = query; self.headers = headers
        self.body = body; self.keepAlive = keepAlive
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var cookies: [String: String] {
        var out: [String: String] = [:]
        for part in (header("cookie") ?? "").split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let name = kv[0].trimmingCharacters(in: .whitespaces)
            if out[name] == nil { out[name] = kv[1].trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    /// `application/x-www-form-urlencoded` fields of the body.
    public var form: [String: String] { Self.decodeQuery(String(decoding: body, as: UTF8.self)) }

    /// The path split into its segments, each decoded on its own (so an encoded `/` stays inside
    /// its segment and cannot climb out of it).
    /// nil when a segment is not valid percent-encoded UTF-8.
    public var segments: [String]? {
        var out: [String] = []
        for raw in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            guard let s = Self.percentDecode(String(raw)) else { return nil }
            out.append(s)
        }
        return out
    }

    public static func decodeQuery(_ s: Substring) -> [String: String] { decodeQuery(String(s)) }

    public static func decodeQuery(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in s.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(String(kv[0]), plusIsSpace: true) else { continue }
            let value = kv.count > 1 ? percentDecode(String(kv[1]), plusIsSpace: true) : ""
            if let value, out[name] == nil { out[name] = value }
        }
        return out
    }

    /// nil for a malformed escape or bytes that are not UTF-8.
    public static func percentDecode(_ s: String, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let hi = hex(it.popFirst()!), let lo = hex(it.popFirst()!) else { return nil }
                bytes.append(hi << 4 | lo)
            } else if plusIsSpace && b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
