import Foundation
import PipelineCore

/// Who a request speaks for, and with what role.
public struct Identity: Sendable, Equatable {
    public let user: String
    public let role: Role

    public init(user: String, role: Role) {
        self.user = user
        self.role = role
    }
}

/// Checks a user name and password against the config's `[web.user.NAME]` tables.
public struct Authenticator: Sendable {
    /// bcrypt at cost 12 (what `photopiped hash-password` writes) of a password nobody knows. An
    /// unknown user, or one without a password, is checked against it, so a wrong name takes as long
    /// to refuse as a wrong password and the answer time does not tell which names exist.
    static let dummyHash = "$2b$12$lqx07vc53jz/Nx4j7ysuv.pj9Emy87x44f38CKODXxX4KlsK2sojq"

    public let users: [String: WebSettings.User]
    public let proxyRole: Role

    public init(settings: WebSettings) {
        users = settings.users
        proxyRole = settings.proxyRole
    }

    /// The identity for a correct name and password; nil otherwise. Always runs one hash check.
    public func authenticate(user: String, password: String) -> Identity? {
        let known = users[user]
        let hash = known?.passwordHash ?? Self.dummyHash
        let matches = PasswordHash.verify(password, against: hash)
        guard matches, let known, known.passwordHash != nil else { return nil }
        return Identity(user: known.name, role: known.role)
    }

    /// A user the trusted proxy vouched for: the role of their table, else `proxy_role`.
    /// nil for a name that is not a plain name (it would end up in manifests and logs).
    public func proxied(user: String) -> Identity? {
        guard !user.isEmpty, Sanitizer.component(user) == user else { return nil }
        return Identity(user: user, role: users[user]?.role ?? proxyRole)
    }
}
