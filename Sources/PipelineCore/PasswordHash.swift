import CSystem
import Foundation

public struct PasswordHashError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// crypt(3) password hashes through libxcrypt: the config stores only these, never a password.
public enum PasswordHash {
    /// bcrypt ($2b$, $2y$, $2a$), scrypt ($7$), yescrypt ($y$) and gost-yescrypt ($gy$).
    public static let prefixes = ["$2b$", "$2y$", "$2a$", "$7$", "$y$", "$gy$"]

    /// Does this look like a hash libxcrypt can check (a known method, then only crypt's alphabet)?
    public static func isHash(_ s: String) -> Bool {
        guard let prefix = prefixes.first(where: s.hasPrefix) else { return false }
        let rest = s.dropFirst(prefix.count)
        return rest.count >= 20 && rest.unicodeScalars.allSatisfy { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "/" || c == "$")
        }
    }

    /// Takes as long as the hash's method and cost say, whether or not the password matches.
    public static func verify(_ password: String, against hash: String) -> Bool {
        // A NUL would cut the password short in C: such a password matches nothing.
        guard !password.utf8.contains(0), !hash.utf8.contains(0) else { return false }
        return pp_password_check(password, hash) == 1
    }

    /// A bcrypt hash ($2b$, cost 12) with a fresh salt.
    public static func make(_ password: String) throws -> String {
        guard !password.utf8.contains(0) else { throw PasswordHashError(description: "a password cannot contain a NUL byte") }
        // bcrypt reads only the first 72 bytes: a longer password would silently match its prefix.
        guard password.utf8.count <= 72 else { throw PasswordHashError(description: "a password can be at most 72 bytes long (bcrypt reads no further)") }
        var out = [CChar](repeating: 0, count: 128)
        guard pp_password_hash(password, &out, out.count) == 0 else {
            throw PasswordHashError(description: "cannot hash the password (no randomness from the kernel?)")
        }
        return out.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
