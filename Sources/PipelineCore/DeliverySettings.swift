import Foundation

/// `[delivery]` in the config: where exported files go after export, and how hard to try.
public struct DeliverySettings: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case folder, s3, webhook }

    public struct Target: Codable, Sendable, Equatable {
        public var name: String
        public var kind: Kind = .folder
        /// Channels this target takes; nil = every channel.
        public var channels: [String]?
        // folder
        public var path: String?
        // s3
        public var endpoint: String?
        public var region = "us-east-1"
        public var bucket: String?
        public var pathStyle = true
        /// Object key template: {channel}, {file}, {batch}, {sku}.
        public var key = "{channel}/{file}"
        public var cacheControl: String?
        /// Where the bucket is served from (for the Shopify CSV); else the endpoint's URL.
        public var publicURL: String?
        /// Files larger than this go up in parts of `multipartPartMB` (AWS wants parts of at least 5 MB;
        /// smaller values are for S3-compatible servers that allow them, such as the tests' SeaweedFS).
        public var multipartThresholdMB = 16.0
        public var multipartPartMB = 8.0
        // webhook
        public var url: String?
        /// S3 keys or the webhook secret: a file (`access_key_id = …`, `secret_access_key = …`, or
        /// `secret = …`), a name under systemd's $CREDENTIALS_DIRECTORY, or nil for the environment.
        public var credentials: String?

        public init(name: String) { self.name = name }

        public func takes(channel: String) -> Bool { channels?.contains(channel) ?? true }
    }

    public var targets: [String: Target] = [:]
    /// Uploads running at once across all targets.
    public var concurrency = 4
    /// Attempts for a transient failure (connection refused, timeout, 5xx, throttling) before it is failed.
    public var maxAttempts = 8
    /// First retry delay; doubled each attempt (with jitter), up to `backoffCapSeconds`.
    public var backoffSeconds = 1.0
    public var backoffCapSeconds = 60.0

    public init() {}

    public var fileTargets: [Target] { targets.values.filter { $0.kind != .webhook }.sorted { $0.name < $1.name } }
    public var webhooks: [Target] { targets.values.filter { $0.kind == .webhook }.sorted { $0.name < $1.name } }

    typealias FieldSetter = @Sendable (inout Target, TOMLValue) throws -> Void

    static let targetFields: [String: FieldSetter] = [
        "type": { $0.kind = try ExportSettings.choice($1, Kind.self) },
        "channels": { $0.channels = try ConfigLoader.stringArray($1) },
        "path": { $0.path = try ConfigLoader.path($1) },
        "endpoint": { $0.endpoint = try httpURL($1) },
        "region": { $0.region = try ConfigLoader.string($1) },
        "bucket": {
            let b = try ConfigLoader.string($1)
            guard !b.isEmpty, b.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw ConfigLoader.ValueError(message: "must be a bucket name (lower-case letters, digits, '-', '.')")
            }
            $0.bucket = b
        },
        "path_style": { $0.pathStyle = try ConfigLoader.bool($1) },
        "key": {
            let k = try ConfigLoader.string($1)
            do { _ = try KeyTemplate(k) } catch { throw ConfigLoader.ValueError(message: "\(error)") }
            $0.key = k
        },
        "cache_control": { $0.cacheControl = try ConfigLoader.string($1) },
        "public_url": { $0.publicURL = try httpURL($1) },
        "multipart_threshold_mb": { $0.multipartThresholdMB = try ConfigLoader.double($1, 0.01...5_000) },
        "multipart_part_mb": { $0.multipartPartMB = try ConfigLoader.double($1, 0.01...5_000) },
        "url": { $0.url = try httpURL($1) },
        "credentials": { $0.credentials = try ConfigLoader.string($1) },
    ]

    static func httpURL(_ v: TOMLValue) throws -> String {
        let s = try ConfigLoader.string(v)
        guard (s.hasPrefix("https://") || s.hasPrefix("http://")), let u = URL(string: s), u.host != nil else {
            throw ConfigLoader.ValueError(message: "must be an http(s) URL, not '\(s)'")
        }
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    /// `delivery.target.<name>.<field>`
    static func setter(for key: String) -> ConfigLoader.Setter? {
        NamedTables.setter(for: key, prefix: "delivery.target.", what: "target", fields: targetFields, table: \.delivery.targets, make: Target.init(name:))
    }

    static let keys: [String: ConfigLoader.Setter] = [
        "delivery.concurrency": { $0.delivery.concurrency = try ConfigLoader.int($1, 1...64) },
        "delivery.max_attempts": { $0.delivery.maxAttempts = try ConfigLoader.int($1, 1...10_000) },
        "delivery.backoff_seconds": { $0.delivery.backoffSeconds = try ConfigLoader.double($1, 0.01...3600) },
        "delivery.backoff_cap_seconds": { $0.delivery.backoffCapSeconds = try ConfigLoader.double($1, 0.01...86_400) },
    ]

    func problems() -> [String] {
        var out: [String] = []
        for t in targets.values.sorted(by: { $0.name < $1.name }) {
            let where_ = "[delivery.target.\(t.name)]"
            switch t.kind {
            case .folder: if t.path == nil { out.append("\(where_): a folder target needs path") }
            case .s3:
                if t.endpoint == nil { out.append("\(where_): an s3 target needs endpoint (e.g. https://s3.eu-central-1.amazonaws.com)") }
                if t.bucket == nil { out.append("\(where_): an s3 target needs bucket") }
            case .webhook: if t.url == nil { out.append("\(where_): a webhook target needs url") }
            }
        }
        return out
    }
}

/// An object key such as `{channel}/{file}`: tokens are checked when the config is read.
public struct KeyTemplate: Sendable {
    public static let tokens: Set<String> = ["channel", "file", "batch", "sku"]
    let text: String

    public init(_ text: String) throws {
        var rest = Substring(text)
        var found: Set<String> = []
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw NamingError(token: nil, reason: "'{' is never closed in '\(text)'") }
            let token = String(rest[rest.index(after: open)..<close])
            guard KeyTemplate.tokens.contains(token) else {
                throw NamingError(token: token, reason: "unknown key token {\(token)}; known: channel, file, batch, sku")
            }
            found.insert(token)
            rest = rest[rest.index(after: close)...]
        }
        guard found.contains("file") else { throw NamingError(token: nil, reason: "a key needs {file}") }
        self.text = text
    }

    /// Every value becomes one clean path segment; only the template's own '/' separate segments.
    public func render(channel: String, file: String, batch: String, sku: String) -> String {
        var out = text
        for (token, value) in [("channel", channel), ("file", file), ("batch", batch), ("sku", sku)] {
            out = out.replacingOccurrences(of: "{\(token)}", with: Sanitizer.component(value, fallback: "x"))
        }
        return out.split(separator: "/").filter { !$0.isEmpty && $0 != "." && $0 != ".." }.joined(separator: "/")
    }
}
