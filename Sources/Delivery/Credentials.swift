import Foundation
import PipelineCore

/// Secrets for a target, from a file only the service can read (systemd's LoadCredential=) or
/// the environment. Error messages name where they looked, never what they found.
public struct Credentials: Sendable {
    public var accessKey = ""
    public var secretKey = ""
    /// The webhook's HMAC secret.
    public var secret = ""

    public init(accessKey: String = "", secretKey: String = "", secret: String = "") {
        self.accessKey = accessKey; self.secretKey = secretKey; self.secret = secret
    }

    public static func load(for t: DeliverySettings.Target, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Credentials {
        var c = Credentials()
        if let ref = t.credentials {
            let path = ref.hasPrefix("/") ? ref : "\(environment["CREDENTIALS_DIRECTORY"] ?? "/run/credentials/photopiped")/\(ref)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DeliveryFailure(permanent: true, "target \(t.name): cannot read its credentials file \(path)")
            }
            let values = parse(text)
            c.accessKey = values["access_key_id"] ?? ""
            c.secretKey = values["secret_access_key"] ?? ""
            c.secret = values["secret"] ?? ""
        } else {
            let prefix = "PHOTOPIPE_\(t.name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined())_"
            c.accessKey = environment[prefix + "ACCESS_KEY_ID"] ?? environment["AWS_ACCESS_KEY_ID"] ?? ""
            c.secretKey = environment[prefix + "SECRET_ACCESS_KEY"] ?? environment["AWS_SECRET_ACCESS_KEY"] ?? ""
            c.secret = environment[prefix + "SECRET"] ?? ""
        }
        switch t.kind {
        case .s3 where c.accessKey.isEmpty || c.secretKey.isEmpty:
            throw DeliveryFailure(permanent: true, "target \(t.name): no S3 keys (access_key_id and secret_access_key in its credentials file, or the environment)")
        case .webhook where c.secret.isEmpty:
            throw DeliveryFailure(permanent: true, "target \(t.name): no webhook secret (secret = … in its credentials file, or the environment)")
        default: return c
        }
    }

    /// `name = value` lines; '#' comments; optional quotes.
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard !l.hasPrefix("#"), let eq = l.firstIndex(of: "=") else { continue }
            let k = l[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var v = l[l.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if v.count >= 2, let f = v.first, f == "\"" || f == "'", v.last == f { v = String(v.dropFirst().dropLast()) }
            out[k] = v
        }
        return out
    }
}
