import Foundation

/// A generator's prompt with `{token}`s filled from the asset and its catalogue row, such as
/// `"{catalog.title} in {catalog.color}, on {scene}"`. Tokens are those of file names plus
/// `{scene}` and `{rule}`; values go in as written (trimmed, one line), not cleaned as in a file
/// name. A token with no value becomes nothing and the spaces around it are closed up.
public struct PromptTemplate: Sendable, Equatable {
    public let parts: [NameTemplate.Part]

    public static let extraTokens: [String: String] = [
        "scene": "the rule's scene for this variant (one of its `scenes`), else nothing",
        "rule": "the rule's name",
    ]

    public init(_ text: String) throws {
        var parts: [NameTemplate.Part] = []
        var literal = ""
        var rest = Substring(text)
        while let c = rest.first {
            rest = rest.dropFirst()
            guard c == "{" else { literal.append(c); continue }
            guard let close = rest.firstIndex(of: "}") else { throw NamingError(token: nil, reason: "'{' is never closed in '\(text)'") }
            let token = String(rest[..<close])
            guard PromptTemplate.known(token) else {
                let names = (Array(NameTemplate.tokens.keys) + Array(PromptTemplate.extraTokens.keys)).sorted()
                throw NamingError(token: token, reason: "unknown token {\(token)}; known: \(names.joined(separator: ", ")), or {catalog.COLUMN}")
            }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(.token(token))
            rest = rest[rest.index(after: close)...]
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    static func known(_ token: String) -> Bool {
        NameTemplate.tokens[token] != nil || extraTokens[token] != nil || (token.hasPrefix("catalog.") && token.count > 8)
    }

    /// The prompt for one variant.
    public func render(_ context: NamingContext, scene: String?, rule: String) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let l): out += l
            case .token("scene"): out += scene ?? ""
            case .token("rule"): out += rule
            case .token(let t): out += context.value(t) ?? ""
            }
        }
        let oneLine = out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        // A clause left empty by a missing value goes with its comma.
        return oneLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: ", ")
    }
}
