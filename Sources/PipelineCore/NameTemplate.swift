import Foundation

/// A file name template such as `{ident}.{amazon}.{ext}` or `{handle}-{position}.{ext}`.
/// Tokens are checked when the config is read; values come from the asset and its catalogue row
/// and are cleaned one by one, so no catalogue value can add a path separator or hide the file.
public struct NameTemplate: Sendable, Equatable {
    public enum Part: Sendable, Equatable { case literal(String), token(String) }

    public static let tokens: [String: String] = [
        "sku": "the SKU",
        "view": "the view number", "n": "the view number", "position": "the view number",
        "nn": "the view number, two digits",
        "alt": "the alternate number (view − 1), two digits",
        "batch": "the shoot folder",
        "stem": "the original file name without extension",
        "color": "the catalogue's color column, else the file name's colour group",
        "handle": "the catalogue's handle (else the SKU, lowercased)",
        "ident": "ASIN, else the GTIN as written in the catalogue",
        "gtin14": "the catalogue GTIN padded to 14 digits",
        "ean": "the catalogue's ean column, else the GTIN as 13 digits",
        "offer_id": "the catalogue's offer_id column, else the SKU",
        "retailer_id": "the catalogue's retailer_id column, else the SKU",
        "amazon": "Amazon's variant code: MAIN, PT01–PT08 or SWCH",
        "ext": "the format's extension",
    ]

    public let parts: [Part]

    public init(_ text: String) throws {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "}" { throw NamingError(token: nil, reason: "'}' without '{' in '\(text)'") }
            guard c == "{" else { literal.append(c); continue }
            guard let close = rest.firstIndex(of: "}") else { throw NamingError(token: nil, reason: "'{' is never closed in '\(text)'") }
            let token = String(rest[..<close])
            guard NameTemplate.tokens[token] != nil || (token.hasPrefix("catalog.") && token.count > 8) else {
                throw NamingError(token: token, reason: "unknown token {\(token)}; known: \(NameTemplate.tokens.keys.sorted().joined(separator: ", ")), or {catalog.COLUMN}")
            }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(.token(token))
            rest = rest[rest.index(after: close)...]
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        for case .literal(let l) in parts where l.contains("/") || l.contains("\0") {
            throw NamingError(token: nil, reason: "a name may not contain '/'")
        }
        guard !parts.isEmpty else { throw NamingError(token: nil, reason: "the name template is empty") }
        self.parts = parts
    }

    public var endsWithExtension: Bool {
        parts.count >= 2 && parts[parts.count - 1] == .token("ext") && {
            if case .literal(let l) = parts[parts.count - 2] { return l.hasSuffix(".") }
            return false
        }()
    }

    /// The file name for one asset, or why there is none.
    public func render(_ context: NamingContext) throws -> String {
        var name = ""
        for part in parts {
            switch part {
            case .literal(let l): name += l
            case .token(let t):
                guard let raw = context.value(t), !raw.isEmpty else {
                    throw NamingError(token: t, reason: context.missingAdvice(t))
                }
                let clean = NameTemplate.clean(raw)
                guard !clean.isEmpty else { throw NamingError(token: t, reason: "{\(t)} ('\(raw.prefix(40))') has no usable characters") }
                name += clean
            }
        }
        guard Sanitizer.component(name) == name, name.utf8.count <= NameTemplate.maxLength else {
            throw NamingError(token: nil, reason: "the name '\(name.prefix(60))' is not a plain file name of at most \(NameTemplate.maxLength) characters")
        }
        return name
    }

    public static let maxLength = 120

    /// A token value made safe inside a name: ASCII letters, digits, '-', '_' and single inner dots; at most 60 characters.
    public static func clean(_ raw: String) -> String {
        var out = ""
        for s in raw.unicodeScalars {
            if s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == "_") { out.unicodeScalars.append(s) }
            else if s == ".", !out.isEmpty, out.last != "." { out.append(".") }
            else if !out.isEmpty, out.last != "-", out.last != "." { out.append("-") }
        }
        while let last = out.last, last == "-" || last == "." || last == "_" { out.removeLast() }
        return String(out.prefix(60))
    }
}

public struct NamingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var token: String?
    public var reason: String
    public init(token: String?, reason: String) { self.token = token; self.reason = reason }
    public var description: String { reason }
}

/// What a name can be built from: the asset's SKU, view and batch, and its catalogue row.
public struct NamingContext: Sendable {
    public var sku: String
    public var view: Int
    public var batch: String
    public var stem: String
    public var catalog: [String: String]
    public var ext: String
    /// The colour from the file name, used when the catalogue row has none.
    public var nameColour: String?
    /// The view that is the swatch (catalogue column `swatch_view`), for Amazon's SWCH.
    public var swatchView: Int? { catalog["swatch_view"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    public init(sku: String, view: Int, batch: String, stem: String, catalog: [String: String], ext: String) {
        self.sku = sku; self.view = view; self.batch = batch; self.stem = stem; self.catalog = catalog; self.ext = ext
    }

    func column(_ name: String) -> String? {
        guard let v = catalog[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    public func value(_ token: String) -> String? {
        if token.hasPrefix("catalog.") { return column(String(token.dropFirst(8)).lowercased()) }
        switch token {
        case "sku": return sku
        case "view", "n", "position": return String(view)
        case "nn": return String(format: "%02d", view)
        case "alt": return view >= 2 ? String(format: "%02d", view - 1) : nil
        case "batch": return batch
        case "stem": return stem
        case "color": return column("color") ?? nameColour
        case "handle": return NamingContext.handle(sku: sku, catalog: catalog)
        case "ident": return column("asin") ?? column("gtin").flatMap { Catalog.gtin14($0) == nil ? nil : $0 }
        case "gtin14": return column("gtin14") ?? column("gtin").flatMap(Catalog.gtin14)
        case "ean":
            if let e = column("ean") { return e }
            guard let g = value("gtin14"), g.hasPrefix("0") else { return nil }
            return String(g.dropFirst())
        case "offer_id": return column("offer_id") ?? sku
        case "retailer_id": return column("retailer_id") ?? sku
        case "amazon": return AmazonNaming.variantCode(view: view, swatchView: swatchView)
        case "ext": return ext
        default: return nil
        }
    }

    /// The catalogue's handle, else the SKU in lower case.
    public static func handle(sku: String, catalog: [String: String]) -> String {
        let h = catalog["handle"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return h.isEmpty ? sku.lowercased() : h
    }

    func missingAdvice(_ token: String) -> String {
        switch token {
        case "ident": "SKU \(sku) has no asin or gtin in the catalogue, and the file name needs one ({ident}); add it to the catalogue and retry"
        case "gtin14": "SKU \(sku) has no valid gtin in the catalogue, and the file name needs one ({gtin14}); add it and retry"
        case "ean": "SKU \(sku) has no ean (or 13-digit gtin) in the catalogue, and the file name needs one ({ean}); add it and retry"
        case "alt": "view \(view) has no alternate number ({alt} starts at view 2)"
        case "amazon": "Amazon takes a main image and at most 8 alternates (PT01–PT08): view \(view) of SKU \(sku) has no Amazon name; mark it the swatch (catalogue column swatch_view) or leave it out"
        default: "SKU \(sku) has no value for {\(token)} in the catalogue; add it and retry"
        }
    }
}
