import Foundation

/// `[web]` and `[web.user.NAME]` in the config: where the review workbench listens, who may log in
/// and as what, and whether a reverse proxy in front of it may say who the user is.
public struct WebSettings: Codable, Sendable, Equatable {
    /// `host:port`; IPv6 hosts in brackets (`[::1]:8088`).
    public struct Listen: Codable, Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) { self.host = host; self.port = port }

        /// nil for "off".
        static func parse(_ s: String) throws -> Listen? {
            if s == "off" { return nil }
            let bad = ConfigLoader.ValueError(message: "must be host:port (e.g. 127.0.0.1:8088) or \"off\", not '\(s)'")
            guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (1...65_535).contains(port) else { throw bad }
            var host = String(s[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") {
                host = String(host.dropFirst().dropLast())
                guard isIPv6(host) else { throw bad }
            } else {
                guard !host.isEmpty, !host.contains(":"),
                      host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-") }) else { throw bad }
            }
            return Listen(host: host, port: port)
        }
    }

    public struct User: Codable, Sendable, Equatable {
        public var name: String
        /// A crypt(3) hash (see PasswordHash); never a password.
        public var passwordHash: String?
        public var role: Role = .viewer

        public init(name: String, passwordHash: String? = nil, role: Role = .viewer) {
            self.name = name
            self.passwordHash = passwordHash
            self.role = role
        }
    }

    /// nil: the workbench is off.
    public var listen: Listen? = Listen(host: "127.0.0.1", port: 8088)
    /// The session cookie's Secure attribute (browsers accept it on http://127.0.0.1 and localhost).
    public var secureCookies = true
    /// A session ends after this long without a request.
    public var sessionHours = 12.0
    /// A header (`X-Forwarded-User`) naming the user, believed only from `proxyAddress`; nil: none.
    public var proxyUserHeader: String?
    public var proxyAddress = "127.0.0.1"
    /// The role of a proxy-authenticated user who has no `[web.user.NAME]` table.
    public var proxyRole: Role = .reviewer
    public var users: [String: User] = [:]
    /// The address people open, when not `http://<listen>` (behind a proxy): contact sheets link to it.
    public var publicURL: String?
    /// `/metrics` without a session: only with HTTP Basic credentials of a `[web.user.NAME]`
    /// (false), or for anyone who reaches the port (true: for a listener only a scraper can reach).
    public var metricsOpen = false

    public init() {}

    typealias FieldSetter = @Sendable (inout User, TOMLValue) throws -> Void

    static let userFields: [String: FieldSetter] = [
        "password": { $0.passwordHash = try hash($1) },
        "role": { $0.role = try ExportSettings.choice($1, Role.self) },
    ]

    static let keys: [String: ConfigLoader.Setter] = [
        "web.listen": { $0.web.listen = try Listen.parse(ConfigLoader.string($1)) },
        "web.secure_cookies": { $0.web.secureCookies = try ConfigLoader.bool($1) },
        "web.session_hours": { $0.web.sessionHours = try ConfigLoader.double($1, 0.01...8_760) },
        "web.proxy_user_header": {
            let h = try ConfigLoader.string($1)
            guard h.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ConfigLoader.ValueError(message: "must be an HTTP header name (e.g. X-Forwarded-User), not '\(h)'")
            }
            $0.web.proxyUserHeader = h.isEmpty ? nil : h
        },
        "web.proxy_address": {
            let a = try ConfigLoader.string($1)
            guard a.isEmpty || isIPv4(a) || isIPv6(a) else { throw ConfigLoader.ValueError(message: "must be an IP address (the proxy's, e.g. 127.0.0.1), not '\(a)'") }
            $0.web.proxyAddress = a
        },
        "web.proxy_role": { $0.web.proxyRole = try ExportSettings.choice($1, Role.self) },
        "web.public_url": {
            let u = try ConfigLoader.string($1)
            guard u.isEmpty || ((u.hasPrefix("http://") || u.hasPrefix("https://")) && URL(string: u)?.host != nil) else {
                throw ConfigLoader.ValueError(message: "must be the address people open, such as https://review.example.com, not '\(u)'")
            }
            $0.web.publicURL = u.isEmpty ? nil : u
        },
        "web.metrics": {
            switch try ConfigLoader.string($1) {
            case "login": $0.web.metricsOpen = false
            case "open": $0.web.metricsOpen = true
            case let other: throw ConfigLoader.ValueError(message: "must be \"login\" (a web user's name and password, by HTTP Basic) or \"open\", not '\(other)'")
            }
        },
    ]

    /// `web.user.<name>.<field>`
    static func setter(for key: String) -> ConfigLoader.Setter? {
        NamedTables.setter(for: key, prefix: "web.user.", what: "user", fields: userFields, table: \.web.users, make: { User(name: $0) })
    }

    static func hash(_ v: TOMLValue) throws -> String {
        let s = try ConfigLoader.string(v)
        if PasswordHash.isHash(s) { return s }
        // Never repeat the value: it may be somebody's password.
        if s.hasPrefix("$") {
            throw ConfigLoader.ValueError(message: "is not a hash photopipe accepts (bcrypt $2b$, scrypt $7$ or yescrypt $y$); store the output of `photopiped hash-password`")
        }
        throw ConfigLoader.ValueError(message: "looks like a plain password; store the output of `photopiped hash-password`")
    }

    func problems() -> [String] {
        var out: [String] = []
        if proxyUserHeader != nil && proxyAddress.isEmpty {
            out.append("[web]: proxy_user_header is set without proxy_address; name the proxy's address (e.g. 127.0.0.1), since only it may say who the user is")
        }
        // Behind a proxy a user's table may give only the role: the proxy has checked who it is.
        for u in users.values.sorted(by: { $0.name < $1.name }) where u.passwordHash == nil && proxyUserHeader == nil {
            out.append("[web.user.\(u.name)]: a user needs password (the output of `photopiped hash-password`)")
        }
        return out
    }

    static func isIPv4(_ s: String) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, s, &a) == 1
    }

    static func isIPv6(_ s: String) -> Bool {
        var a = in6_addr()
        return inet_pton(AF_INET6, s, &a) == 1
    }
}
