import Foundation

/// `[export]` in the config: which channels are on, their presets, and the public base URL.
public struct ExportSettings: Codable, Sendable, Equatable {
    /// Presets that get files, in this order.
    public var channels = ["default"]
    /// Every known preset by name: the built-ins, with the config's overrides, plus the config's own.
    public var presets: [String: ChannelPreset] = Dictionary(uniqueKeysWithValues: BuiltinPresets.all.map { ($0.name, $0) })
    /// Where the channel folders are served from, for the Shopify CSV's image URLs (`BASE/<channel>/<file>`).
    public var baseURL = ""
    /// Channels of one asset rendered at once, inside its worker.
    public var threads = 2

    public init() {}

    public var enabled: [ChannelPreset] { channels.compactMap { presets[$0] } }

    /// Reserved names inside export/: a channel may not be called like these.
    static let reserved: Set<String> = ["manifests"]

    static func preset(_ name: String, in s: inout ExportSettings) throws -> ChannelPreset {
        if let p = s.presets[name] { return p }
        guard Sanitizer.component(name) == name, !reserved.contains(name) else {
            throw ConfigLoader.ValueError(message: "names a preset '\(name)', which is not a plain folder name (letters, digits, '.', '_', '-')")
        }
        // A new preset starts from the default one.
        var p = BuiltinPresets.named("default")!
        p.name = name
        p.nameTemplate = "{sku}-{n}.{ext}"
        return p
    }

    typealias FieldSetter = @Sendable (inout ChannelPreset, TOMLValue) throws -> Void

    static let presetFields: [String: FieldSetter] = [
        "width": { $0.width = try ConfigLoader.int($1, 16...20_000) },
        "height": { $0.height = try ConfigLoader.int($1, 16...20_000) },
        "fill": { $0.fill = try ConfigLoader.double($1, 0.05...1) },
        "min_fill": { $0.minFill = try ConfigLoader.double($1, 0...1) },
        "gravity": { $0.gravity = try choice($1, ChannelPreset.Gravity.self) },
        "background": { $0.background = try background($1) },
        "format": { $0.format = try choice($1, ChannelPreset.Format.self) },
        "quality": { $0.quality = try ConfigLoader.int($1, 1...100) },
        "quality_floor": { $0.qualityFloor = try ConfigLoader.int($1, 1...100) },
        "chroma_subsampling": {
            let s = try ConfigLoader.string($1)
            guard s == "4:2:0" || s == "4:4:4" else { throw ConfigLoader.ValueError(message: "must be \"4:2:0\" or \"4:4:4\", not '\(s)'") }
            $0.chromaSubsampling = s == "4:2:0"
        },
        "max_bytes": { $0.maxBytes = try ConfigLoader.int($1, 1_000...2_000_000_000) },
        "metadata": { $0.metadata = try choice($1, ChannelPreset.Metadata.self) },
        "name": {
            let t = try ConfigLoader.string($1)
            do { _ = try NameTemplate(t) } catch { throw ConfigLoader.ValueError(message: "\(error)") }
            $0.nameTemplate = t
        },
        "first_view": { $0.firstView = try ConfigLoader.int($1, 1...999) },
        "last_view": { $0.lastView = try ConfigLoader.int($1, 1...999) },
        "rules": { $0.rules = try choice($1, ChannelPreset.Rules.self) },
        "shopify_csv": { $0.shopifyCSV = try ConfigLoader.bool($1) },
    ]

    /// `export.preset.<name>.<field>`
    static func setter(for key: String) -> ConfigLoader.Setter? {
        let prefix = "export.preset."
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let dot = rest.lastIndex(of: ".") else { return nil }
        let name = String(rest[..<dot]), field = String(rest[rest.index(after: dot)...])
        guard let set = presetFields[field] else { return nil }
        return { config, value in
            var p = try preset(name, in: &config.export)
            try set(&p, value)
            config.export.presets[name] = p
        }
    }

    static let keys: [String: ConfigLoader.Setter] = [
        "export.channels": {
            let names = try ConfigLoader.stringArray($1)
            if names.isEmpty { throw ConfigLoader.ValueError(message: "must name at least one channel") }
            if Set(names).count != names.count { throw ConfigLoader.ValueError(message: "names a channel twice") }
            for n in names where Sanitizer.component(n) != n || reserved.contains(n) {
                throw ConfigLoader.ValueError(message: "names '\(n)', which is not a plain folder name")
            }
            $0.export.channels = names
        },
        "export.threads": { $0.export.threads = try ConfigLoader.int($1, 1...64) },
        "export.base_url": {
            let s = try ConfigLoader.string($1)
            guard s.isEmpty || ((s.hasPrefix("https://") || s.hasPrefix("http://")) && URL(string: s) != nil
                                && !s.contains(where: { $0.isWhitespace || $0 == "\"" })) else {
                throw ConfigLoader.ValueError(message: "must be an http(s) URL, e.g. \"https://cdn.example.com/photos\"")
            }
            $0.export.baseURL = s.hasSuffix("/") ? String(s.dropLast()) : s
        },
    ]

    /// Every enabled channel must name a preset, and every preset must be usable.
    func problems() -> [String] {
        var out: [String] = []
        for c in channels where presets[c] == nil {
            let names = BuiltinPresets.all.map(\.name) + presets.keys.sorted()
            out.append("'export.channels' names '\(c)'\(Suggestion.hint(for: c, in: names)); it is neither built in (\(BuiltinPresets.all.map(\.name).joined(separator: ", "))) nor defined under [export.preset.\(c)]")
        }
        for p in presets.values.sorted(by: { $0.name < $1.name }) {
            out += p.problems().map { "[export.preset.\(p.name)]: \($0)" }
        }
        return out
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ v: TOMLValue, _: T.Type) throws -> T where T.RawValue == String {
        let s = try ConfigLoader.string(v)
        guard let c = T(rawValue: s) else {
            throw ConfigLoader.ValueError(message: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
        }
        return c
    }

    /// "transparent", "#RRGGBB" or [r, g, b].
    static func background(_ v: TOMLValue) throws -> [Int]? {
        let bad = ConfigLoader.ValueError(message: "must be \"transparent\", \"#RRGGBB\" or [r, g, b]")
        switch v {
        case .string("transparent"): return nil
        case .string(let s) where s.hasPrefix("#") && s.count == 7:
            guard let n = Int(s.dropFirst(), radix: 16) else { throw bad }
            return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
        case .array(let items) where items.count == 3:
            return try items.map { try ConfigLoader.int($0, 0...255) }
        default: throw bad
        }
    }
}
