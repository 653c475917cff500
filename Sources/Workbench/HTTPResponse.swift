import Foundation

/// An answer: status, headers and a whole body. Security headers are added by `serialize`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public static func html(_ page: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(page.utf8))
    }

    public static func text(_ s: String, status: Int = 200, type: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", type)], body: Array(s.utf8))
    }

    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPResponse {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? e.encode(value)).map { Array($0) } ?? Array(#"{"ok":false,"message":"cannot encode the answer"}"#.utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// `{"ok":false,"message":…}` with the status.
    public static func problem(_ status: Int, _ message: String) -> HTTPResponse {
        json(ProblemBody(ok: false, message: message), status: status)
    }

    public static func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location)])
    }

    private struct ProblemBody: Encodable { let ok: Bool; let message: String }

    static let reasons: [Int: String] = [
        200: "OK", 204: "No Content", 303: "See Other", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
        413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
    ]

    /// Every answer carries these: no inline script or style can run, no framing, no sniffing.
    public static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]

    /// The bytes on the wire. `head` answers a HEAD request: the length is the body's, no body follows.
    public func serialize(head: Bool = false, keepAlive: Bool) -> [UInt8] {
        var s = "HTTP/1.1 \(status) \(Self.reasons[status] ?? "Status")\r\n"
        for (k, v) in headers { s += "\(k): \(v)\r\n" }
        for (k, v) in Self.securityHeaders where header(k) == nil { s += "\(k): \(v)\r\n" }
        if header("Cache-Control") == nil { s += "Cache-Control: no-store\r\n" }
        s += "Content-Length: \(body.count)\r\n"
        s += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var out = Array(s.utf8)
        if !head { out += body }
        return out
    }
}
