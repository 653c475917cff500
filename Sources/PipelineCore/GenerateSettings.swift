import Foundation

/// `[generate]` in the config: which SKUs get lifestyle variants, from which scenes, and which
/// channels take them. With no rule, generate passes every asset on unchanged.
public struct GenerateSettings: Codable, Sendable, Equatable {
    public enum Generator: String, Codable, Sendable, CaseIterable {
        /// The built-in compositor: the product placed on the studio's own plates.
        case scene
        /// A ComfyUI server's HTTP API, running the rule's workflow.
        case comfyui
        /// Any executable, by the contract in docs/generate.md.
        case command

        public var isExternal: Bool { self != .scene }
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

        // External generators (comfyui, command). For them `scenes` are words for the prompt's
        // {scene}, one per variant, not plates.
        /// ComfyUI's base URL (http or https).
        public var url: String?
        /// A ComfyUI workflow in API format with placeholders (absolute path).
        public var workflow: String?
        /// The prompt, with {sku}, {catalog.COLUMN}, {scene}… filled per variant.
        public var prompt: String?
        public var negativePrompt: String?
        /// The `command` generator's executable (absolute path; run directly, never by a shell).
        public var command: String?
        /// One attempt's limit: upload to last image fetched, or the command's run.
        public var timeoutSeconds = 45.0
        /// Attempts per variant before it is given up as a problem.
        public var attempts = 2
        /// Wait before the second attempt, doubled before each further one.
        public var backoffSeconds = 2.0
        /// True: the master's true product pixels are pasted over what the generator returned
        /// (scene from a prompt, background replacement). False: the product is redrawn (on-model)
        /// and only measured.
        public var keepProduct = true
        /// A redrawn product (`keep_product = false`) is held for a person as an exception when its
        /// mean colour moved by more than this CIEDE2000 from the photograph's…
        public var redrawnMaxDeltaE: Double?
        /// …or its shape overlaps the photograph's by less than this share after alignment.
        public var redrawnMinShapeIoU: Double?
        public static let defaultRedrawnMaxDeltaE = 3.0
        public static let defaultRedrawnMinShapeIoU = 0.8

        public init(name: String) { self.name = name }

        /// The longest a job can spend on this rule's variants of one asset: every attempt timing
        /// out, with the backoff between them.
        public var worstCaseSeconds: Double {
            guard generator.isExternal else { return 0 }
            let waits = (0..<max(0, attempts - 1)).reduce(0.0) { t, k in t + backoffSeconds * pow(2, Double(k)) }
            return Double(variants) * (Double(attempts) * timeoutSeconds + waits)
        }

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
        "url": { $0.url = try httpURL($1) },
        "workflow": { $0.workflow = try ConfigLoader.path($1) },
        "prompt": { $0.prompt = try promptTemplate($1) },
        "negative_prompt": { $0.negativePrompt = try promptTemplate($1) },
        "command": { $0.command = try ConfigLoader.path($1) },
        "timeout_seconds": { $0.timeoutSeconds = try ConfigLoader.double($1, 0.1...3600) },
        "attempts": { $0.attempts = try ConfigLoader.int($1, 1...10) },
        "backoff_seconds": { $0.backoffSeconds = try ConfigLoader.double($1, 0...600) },
        "keep_product": { $0.keepProduct = try ConfigLoader.bool($1) },
        "redrawn_max_delta_e": { $0.redrawnMaxDeltaE = try ConfigLoader.double($1, 0.5...30) },
        "redrawn_min_shape_iou": { $0.redrawnMinShapeIoU = try ConfigLoader.double($1, 0.1...0.99) },
    ]

    static func httpURL(_ v: TOMLValue) throws -> String {
        let s = try ConfigLoader.string(v)
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https", u.host?.isEmpty == false,
              u.query == nil else {
            throw ConfigLoader.ValueError(message: "must be an http(s) base URL such as \"http://127.0.0.1:8188\", got '\(s)'")
        }
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    static func promptTemplate(_ v: TOMLValue) throws -> String {
        let s = try ConfigLoader.string(v)
        do { _ = try PromptTemplate(s) } catch { throw ConfigLoader.ValueError(message: "is not a usable prompt: \(error)") }
        return s
    }

    static let keys: [String: ConfigLoader.Setter] = [
        "generate.plates": { $0.generate.plates = try ConfigLoader.path($1) },
        "generate.channels": { $0.generate.channels = try ConfigLoader.stringArray($1) },
        "generate.long_side": { $0.generate.longSide = try ConfigLoader.int($1, 256...10_000) },
    ]

    /// `generate.rule.<name>.<field>`
    static func setter(for key: String) -> ConfigLoader.Setter? {
        NamedTables.setter(for: key, prefix: "generate.rule.", what: "rule", fields: ruleFields, table: \.generate.rules, make: Rule.init(name:))
    }

    func problems(presets: [String: ChannelPreset], assetTimeoutSeconds: Double = .infinity) -> [String] {
        let known = Set(presets.keys)
        var out: [String] = []
        for c in channels where presets[c]?.lastView == 1 {
            out.append("generate.channels names '\(c)', which takes only the main image: that is always a photograph, never a generated variant")
        }
        if rules.values.contains(where: { $0.generator == .scene }) && plates == nil {
            out.append("[generate]: scene rules need generate.plates, the folder of scene plates")
        }
        for c in channels where !known.contains(c) {
            out.append("generate.channels names '\(c)', which is not an export preset (known: \(known.sorted().joined(separator: ", ")))")
        }
        for r in rules.values.sorted(by: { $0.name < $1.name }) where r.catalogField != nil && r.catalogValues.isEmpty {
            out.append("[generate.rule.\(r.name)]: catalog_field needs catalog_values")
        }
        for r in rules.values.sorted(by: { $0.name < $1.name }) { out += r.externalProblems(assetTimeoutSeconds: assetTimeoutSeconds) }
        return out
    }
}

extension GenerateSettings.Rule {
    /// What an external rule lacks, and a workflow file that cannot serve (read here, once, so a
    /// typo shows at start rather than as every variant's problem).
    func externalProblems(assetTimeoutSeconds: Double) -> [String] {
        let at = "[generate.rule.\(name)]"
        var out: [String] = []
        let limits = [redrawnMaxDeltaE.map { _ in "redrawn_max_delta_e" }, redrawnMinShapeIoU.map { _ in "redrawn_min_shape_iou" }].compactMap { $0 }
        if !limits.isEmpty && (generator == .scene || keepProduct) {
            out.append("\(at): \(limits.joined(separator: " and ")) only apply to a product an external generator redraws "
                       + "(generator \"comfyui\" or \"command\" with keep_product = false); this rule "
                       + (generator == .scene ? "places the photograph's own pixels on plates" : "pastes the photograph's product back"))
        }
        switch generator {
        case .scene: return out
        case .comfyui:
            if url == nil { out.append("\(at): generator \"comfyui\" needs url, the server's base URL") }
            if let w = workflow {
                do { _ = try WorkflowTemplate.load(path: w) } catch { out.append("\(at): \(error)") }
            } else { out.append("\(at): generator \"comfyui\" needs workflow, a workflow file in API format") }
            if prompt == nil { out.append("\(at): generator \"comfyui\" needs prompt") }
        case .command:
            if let c = command {
                if !FileManager.default.isExecutableFile(atPath: c) { out.append("\(at): command \(c) is not an executable file") }
            } else { out.append("\(at): generator \"command\" needs command, an executable's absolute path") }
        }
        if worstCaseSeconds > assetTimeoutSeconds {
            func s(_ x: Double) -> String { String(Int(x.rounded(.up))) }
            out.append("\(at): \(variants) variant(s) × \(attempts) attempt(s) of up to \(s(timeoutSeconds)) s with backoff can take \(s(worstCaseSeconds)) s, "
                       + "more than limits.asset_timeout_seconds (\(s(assetTimeoutSeconds)) s), after which the worker is killed; lower timeout_seconds or attempts, or raise the limit")
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
