import Foundation

/// Makes a name from outside (a file or folder name) safe as one path component:
/// nothing it yields can climb out of the root or hide itself.
public enum Sanitizer {
    public static let maxLength = 80

    public static func component(_ raw: String) -> String {
        var out = ""
        var lastWasUnderscore = false
        for scalar in raw.unicodeScalars {
            let ok = (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "." || scalar == "_"))
            if ok {
                out.unicodeScalars.append(scalar)
                lastWasUnderscore = scalar == "_"
            } else if !lastWasUnderscore {
                out.append("_")
                lastWasUnderscore = true
            }
        }
        // No leading dots (hidden names, "." and ".."), no trailing separators.
        while out.hasPrefix(".") || out.hasPrefix("_") { out.removeFirst() }
        while out.hasSuffix(".") || out.hasSuffix("_") { out.removeLast() }
        if out.count > maxLength { out = String(out.prefix(maxLength)) }
        return out
    }

    /// `component`, with a fallback when nothing usable is left.
    public static func component(_ raw: String, fallback: String) -> String {
        let s = component(raw)
        return s.isEmpty ? fallback : s
    }
}

/// SKU and view from a file stem, by a regex with named groups `sku` and `view`.
public struct NamePattern: Sendable {
    public static let defaultPattern = #"^(?<sku>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*?)(?:[_-](?<view>\d{1,2}))?$"#

    public let source: String
    private let regex: NSRegularExpression

    public init(_ source: String) throws {
        self.source = source
        regex = try NSRegularExpression(pattern: source)
        guard source.contains("(?<sku>") else {
            throw ConfigError(message: "the pattern needs a named group 'sku', e.g. (?<sku>...)")
        }
    }

    public struct Match: Equatable, Sendable {
        public let sku: String
        public let view: Int?
        public let fromPattern: Bool
        /// From a named group `colour` (or `color`), e.g. `SHIRT-01_navy_2`.
        public var colour: String?
        public init(sku: String, view: Int?, fromPattern: Bool, colour: String? = nil) {
            self.sku = sku; self.view = view; self.fromPattern = fromPattern; self.colour = colour
        }
    }

    /// SKU from the pattern when it matches, else the sanitised stem; view only from the pattern.
    public func resolve(stem: String) -> Match {
        let range = NSRange(stem.startIndex..., in: stem)
        if let m = regex.firstMatch(in: stem, range: range) {
            let sku = group(m, "sku", in: stem).map { Sanitizer.component($0) } ?? ""
            let view = group(m, "view", in: stem).flatMap { Int($0) }
            let colour = (group(m, "colour", in: stem) ?? group(m, "color", in: stem)).flatMap { Sanitizer.component($0).isEmpty ? nil : Sanitizer.component($0) }
            if !sku.isEmpty { return Match(sku: sku, view: view, fromPattern: true, colour: colour) }
        }
        return Match(sku: Sanitizer.component(stem, fallback: "unnamed"), view: nil, fromPattern: false)
    }

    private func group(_ m: NSTextCheckingResult, _ name: String, in s: String) -> String? {
        guard source.contains("(?<\(name)>") else { return nil }
        let r = m.range(withName: name)
        guard r.location != NSNotFound, let range = Range(r, in: s) else { return nil }
        return String(s[range])
    }
}

public enum AssetID {
    /// A stable, readable id: the sanitised stem plus the start of the content hash.
    public static func make(stem: String, sha256: String, length: Int = 10) -> String {
        let base = Sanitizer.component(stem, fallback: "asset")
        return "\(base.prefix(50))-\(sha256.prefix(length))"
    }

    /// Only names `make` can produce are accepted from a control client.
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && Sanitizer.component(id) == id
    }
}

/// Splits a file name into stem and extension.
public func splitExtension(_ name: String) -> (stem: String, ext: String) {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
    return (String(name[..<dot]), String(name[name.index(after: dot)...]))
}
