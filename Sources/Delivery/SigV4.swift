import Foundation
import PipelineCore

/// AWS Signature Version 4 for S3 requests (header-based, signed payload hash).
public struct SigV4: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var region: String
    public var service = "s3"

    public init(accessKey: String, secretKey: String, region: String) {
        self.accessKey = accessKey; self.secretKey = secretKey; self.region = region
    }

    /// The headers to add to a request: x-amz-date, x-amz-content-sha256 and Authorization.
    /// `headers` are the other headers that will be sent and must be signed (host is added).
    public func sign(method: String, url: URL, headers: [String: String], payloadSHA256: String, date: Date = Date()) -> [String: String] {
        let stamp = SigV4.timestamp(date)
        let day = String(stamp.prefix(8))
        var all = headers
        all["host"] = SigV4.hostHeader(url)
        all["x-amz-date"] = stamp
        all["x-amz-content-sha256"] = payloadSHA256
        let canonicalHeaders = all.map { ($0.key.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.0 < $1.0 }
        let signedHeaders = canonicalHeaders.map(\.0).joined(separator: ";")
        let request = [
            method,
            SigV4.canonicalPath(url),
            SigV4.canonicalQuery(url),
            canonicalHeaders.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            payloadSHA256,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = ["AWS4-HMAC-SHA256", stamp, scope, SHA256.hex(Data(request.utf8))].joined(separator: "\n")
        var key = SHA256.hmac(key: Array("AWS4\(secretKey)".utf8), Data(day.utf8))
        for part in [region, service, "aws4_request"] { key = SHA256.hmac(key: key, Data(part.utf8)) }
        let signature = SHA256.hexString(SHA256.hmac(key: key, Data(toSign.utf8)))
        var out = all
        out.removeValue(forKey: "host")
        out["Authorization"] = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return out
    }

    static func timestamp(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: d)
    }

    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        if let port = url.port, !((url.scheme == "http" && port == 80) || (url.scheme == "https" && port == 443)) { return "\(host):\(port)" }
        return host
    }

    /// RFC 3986 unreserved characters stay; everything else is %XX (S3: '/' kept in paths).
    public static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || "-_.~".contains(c) || (keepSlash && c == "/") {
                out.append(c)
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    static func canonicalPath(_ url: URL) -> String {
        let raw = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        let decoded = raw.removingPercentEncoding ?? raw
        return decoded.isEmpty ? "/" : encode(decoded, keepSlash: true)
    }

    static func canonicalQuery(_ url: URL) -> String {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        return items.map { (encode($0.name, keepSlash: false), encode($0.value ?? "", keepSlash: false)) }
            .sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
