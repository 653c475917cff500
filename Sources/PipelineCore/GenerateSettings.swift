import Foundation

/// `[generate]` in the config: which SKUs get lifestyle variants, from which scenes, and which
/// channels take them. With no rule, generate passes every asset on unchanged.
public struct GenerateSettings: Codable, Sendable, Equatable {
    public enum Generator: String, Codable, Sendable, CaseIterable {
        /// The built-in compositor: the product placed on the studio's own plates.
        case scene
    }

    /// One rule: the assets it matches (every criterion given must hold) and what they get.
    public struct Rule: Codable, Sendable, Equatable {
        public var name: String
        public var generator: Generator = .scene
        /// Plate names from the scene library; empty = every plate.
        public var scenes: [String] = []
        /// Variants per asset (each on a different plate while plates last).
        public var variants = 1
        /// Only the SKU's first view (its packshot) gets variants, unless this is false.
        public var firstViewOnly = true
        /// Catalogue column and the values that match (case-insensitive); a tags column matches
        /// when any of its comma- or semicolon-separated words is listed.
        public var catalogField: String?
        public var catalogValues: [String] = []
        /// Glob patterns (`*`, `?`) on the SKU and on the batch name.
        public var skuPattern: String?
        public var batchPattern: String?

        public init(name: String) { self.name = name }

        public func matches(sku: String, batch: String, view: Int?, catalog: [String: String]?) -> Bool {
            if firstViewOnly && (view ?? 1) != 1 { return false }
            if let p = skuPattern, !Glob.matches(p, sku) { return false }
            if let p = batchPattern, !Glob.matches(p, batch) { return false }
            if let field = catalogField {
                guard let value = catalog?[field] else { return false }
                let words = value.split(whereSeparator: { $0 == "," || $0 == ";" })
                    .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                let wanted = Set(catalogValues.map { $0.lowercased() })
                if !words.contains(where: wanted.contains) && !wanted.contains(value.lowercased()) { return false }
            }
            return true
        }
    }

    /// The scene library: plates (jpg, png, tif) with a `.toml` sidecar each.
    public var plates: String?
    /// Channels that take variants, after the packshots. Amazon's main image is never a variant.
    public var channels: [String] = []
    public var rules: [String: Rule] = [:]
    /// Output long side when the channels do not say (the largest of their canvases otherwise).
    public var longSide = 2000

    public init() {}

    /// The channels a variant is exported to: those named in `channels` (every enabled one when
    /// none is named) that take views after the first.
    public func variantPresets(_ enabled: [ChannelPreset]) -> [ChannelPreset] {
        enabled.filter { (channels.isEmpty || channels.contains($0.name)) && $0.lastView ?? Int.max >= 2 }
    }

    /// The rules an asset matches, by name (so the result does not depend on the config's order).
    public func rules(sku: String, batch: String, view: Int?, catalog: [String: String]?) -> [Rule] {
        rules.values.sorted { $0.name < $1.name }.filter { $0.matches(sku: sku, batch: batch, view: view, catalog: catalog) }
    }

    typealias FieldSetter = @Sendable (inout Rule, TOMLValue) throws -> Void

    static let ruleFields: [String: FieldSetter] = [
        "generator": { $0.generator = try ExportSettings.choice($1, Generator.self) },
        "scenes": { $0.scenes = try ConfigLoader.stringArray($1) },
        "variants": { $0.variants = try ConfigLoader.int($1, 1...20) },
        "first_view_only": { $0.firstViewOnly = try ConfigLoader.bool($1) },
        "catalog_field": { $0.catalogField = try ConfigLoader.string($1) },
        "catalog_values": { $0.catalogValues = try ConfigLoader.stringArray($1) },
        "sku_pattern": { $0.skuPattern = try ConfigLoader.string($1) },
        "batch_pattern": { $0.batchPattern = try ConfigLoader.string($1) },
    ]

    static let keys: [String: ConfigLoader.Setter] = [
        "generate.plates": { $0.generate.plates = try ConfigLoader.path($1) },
        "generate.channels": { $0.generate.channels = try ConfigLoader.stringArray($1) },
        "generate.long_side": { $0.generate.longSide = try ConfigLoader.int($1, 256...10_000) },
    ]

    /// `generate.rule.<name>.<field>`
    static func setter(for key: String) -> ConfigLoader.Setter? {
        let prefix = "generate.rule."
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let dot = rest.lastIndex(of: "."), let set = ruleFields[String(rest[rest.index(after: dot)...])] else { return nil }
        let name = String(rest[..<dot])
        return { config, value in
            guard Sanitizer.component(name) == name else {
                throw ConfigLoader.ValueError(message: "names a rule '\(name)', which is not a plain name (letters, digits, '.', '_', '-')")
            }
            var r = config.generate.rules[name] ?? Rule(name: name)
            try set(&r, value)
            config.generate.rules[name] = r
        }
    }

    func problems(presets: [String: ChannelPreset]) -> [String] {
        let known = Set(presets.keys)
        var out: [String] = []
        for c in channels where presets[c]?.lastView == 1 {
            out.append("generate.channels names '\(c)', which takes only the main image: that is always a photograph, never a generated variant")
        }
        if !rules.isEmpty && plates == nil { out.append("[generate]: rules need generate.plates, the folder of scene plates") }
        for c in channels where !known.contains(c) {
            out.append("generate.channels names '\(c)', which is not an export preset (known: \(known.sorted().joined(separator: ", ")))")
        }
        for r in rules.values.sorted(by: { $0.name < $1.name }) where r.catalogField != nil && r.catalogValues.isEmpty {
            out.append("[generate.rule.\(r.name)]: catalog_field needs catalog_values")
        }
        return out
    }
}

/// Shell-style globs for names: `*` any run, `?` one character; nothing else is special.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var (pi, ti) = (0, 0)
        var star: Int?, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if let s = star { pi = s + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
