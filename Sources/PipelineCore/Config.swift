import Foundation

/// Everything the daemon can be told. Every key has a default, so an empty file works.
public struct Config: Codable, Sendable, Equatable {
    public var root = "/var/lib/photopipe"

    // [daemon]
    public var socketPath = "/run/photopipe/control.sock"
    public var socketGroup = "photopipe"
    public var workers = 2
    public var vipsThreads = 1
    public var eventLog = true
    /// Size at which events.jsonl is rotated (to .1 … .4).
    public var eventLogMaxMB = 64

    // [watch]
    public var settleSeconds = 1.0
    public var checkOpenWriters = true
    /// Folders below inbox/ a frame may sit in (see InboxFilter), and folders never looked into.
    public var report = ReportSettings()
    public var notify = NotifySettings()
    /// Folders watched besides inbox/, by name.
    public var watchFolders: [String: WatchFolder] = [:]
    public var inboxMaxDepth = 3
    public var inboxSkipFolders = InboxFilter.defaultSkipFolders

    // [ingest]
    public var namePattern = NamePattern.defaultPattern
    /// Camera RAW (developed by LibRaw) as well as the formats libvips reads.
    public var imageExtensions = ["jpg", "jpeg", "png", "tif", "tiff", "webp",
                                  "arw", "cr2", "cr3", "crw", "dng", "erf", "iiq", "nef", "nrw", "orf", "pef", "raf", "rw2", "srw", "3fr", "fff", "mos"]
    /// Where the SKU comes from, tried in order (see SkuResolver).
    public var skuSources = ["name"]
    /// Optional product catalogue (CSV with a `sku` column); when set, unknown SKUs are exceptions.
    public var catalogPath: String?

    // [limits]
    public var maxPixels = 200_000_000
    public var workerMemoryMB = 4096
    public var assetTimeoutSeconds = 120.0
    public var maxAttempts = 3
    /// Below this much free space under the root, intake and image work pause (0: only a failed write pauses them).
    public var minFreeMB = 1024

    // [retouch]
    public var retouch = RetouchSettings()

    // [review]
    public var reviewHold = false
    /// Share of each batch's passing assets held for a person anyway (0–1).
    public var sampleRate = 0.12
    /// Seeds the sample, so a re-run of the same batch holds the same assets.
    public var sampleSeed = "photopipe"
    /// Every review gate's threshold (`review.max_clipped_share` …), read by `ReviewPolicy`.
    public var gates = GateThresholds()
    /// Members may approve and reject through the control socket (`pipectl approve/reject`).
    public var reviewGroup = "photopipe-review"

    // [export]
    public var export = ExportSettings()

    // [generate]
    public var generate = GenerateSettings()

    // [delivery]
    public var delivery = DeliverySettings()

    // [web], [web.user.NAME]
    public var web = WebSettings()

    public init() {}
}

public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public var description: String { message }
}

/// Reads a config file: unknown keys and bad values are refused, naming the key and its line.
public enum ConfigLoader {
    public static func load(path: String?) throws -> Config {
        guard let path else { return Config() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) }
        catch { throw ConfigError(message: "\(path): cannot read the config file (\(error.localizedDescription))") }
        do { return try parse(text) }
        catch let e as ConfigError { throw ConfigError(message: "\(path): \(e.message)") }
    }

    public static func parse(_ text: String) throws -> Config {
        let entries: [TOMLEntry]
        do { entries = try TOML.parse(text) }
        catch let e as TOMLError { throw ConfigError(message: e.description) }
        var config = Config()
        for entry in entries {
            guard let key = setter(for: entry.key) else {
                throw ConfigError(message: "line \(entry.line): unknown key '\(entry.key)'\(Suggestion.hint(for: entry.key, in: knownKeys(like: entry.key)))"
                                  + " (every key is in examples/photopipe.toml)")
            }
            do { try key(&config, entry.value) }
            catch let e as ValueError {
                throw ConfigError(message: "line \(entry.line): '\(entry.key)' \(e.message)")
            }
        }
        do { try validate(config) }
        catch let e as ValueError { throw ConfigError(message: (line(of: e.message, in: entries).map { "line \($0): " } ?? "") + e.message) }
        return config
    }

    /// Every key the config takes, a table's NAME filled in from `key` (`export.preset.amazon.widht`
    /// is compared with `export.preset.amazon.width`).
    static func knownKeys(like key: String) -> [String] {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        let name = parts.count >= 4 ? String(parts[2]) : "NAME"
        return (Array(keys.keys) + RetouchSettings.keys.keys.map { "retouch.\($0)" } + Array(ExportSettings.keys.keys)
                + ExportSettings.presetFields.keys.map { "export.preset.\(name).\($0)" } + Array(DeliverySettings.keys.keys)
                + DeliverySettings.targetFields.keys.map { "delivery.target.\(name).\($0)" }
                + Array(GenerateSettings.keys.keys) + GenerateSettings.ruleFields.keys.map { "generate.rule.\(name).\($0)" }
                + Array(WebSettings.keys.keys) + WebSettings.userFields.keys.map { "web.user.\(name).\($0)" }
                + Array(ReportSettings.keys.keys) + Array(NotifySettings.keys.keys)
                + WatchFolder.fields.keys.map { "watch.folder.\(name).\($0)" }).sorted()
    }

    /// The line a whole-config problem is about: that of the key it quotes (`'export.channels'`),
    /// else the first line of the table it names (`[web]:`).
    static func line(of message: String, in entries: [TOMLEntry]) -> Int? {
        if let e = entries.first(where: { message.contains("'\($0.key)'") }) { return e.line }
        return entries.first { e in
            var table = e.key.split(separator: ".").dropLast().joined(separator: ".")
            while !table.isEmpty {
                if message.contains("[\(table)]") { return true }
                table = table.split(separator: ".").dropLast().joined(separator: ".")
            }
            return false
        }?.line
    }

    struct ValueError: Error { let message: String }

    static func setter(for key: String) -> Setter? {
        if let k = keys[key] { return k }
        if key.hasPrefix("retouch."), let k = RetouchSettings.keys[String(key.dropFirst(8))] {
            return { try k(&$0.retouch, $1) }
        }
        if let k = ExportSettings.keys[key] { return k }
        if let k = DeliverySettings.keys[key] { return k }
        if let k = GenerateSettings.keys[key] { return k }
        if let k = WebSettings.keys[key] { return k }
        if let k = ReportSettings.keys[key] { return k }
        if let k = NotifySettings.keys[key] { return k }
        return ExportSettings.setter(for: key) ?? DeliverySettings.setter(for: key) ?? GenerateSettings.setter(for: key)
            ?? WebSettings.setter(for: key) ?? WatchFolder.setter(for: key)
    }

    /// Applies `KEY=VALUE` overrides (from `--set`) on top of a config. The value is read as a
    /// TOML value, and a bare word as a string, so `retouch.shadow=none` works unquoted.
    public static func applying(_ overrides: [String], to base: Config) throws -> Config {
        var config = base
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else { throw ConfigError(message: "--set \(o): expected KEY=VALUE") }
            let key = o[..<eq].trimmingCharacters(in: .whitespaces), raw = o[o.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let set = setter(for: key) else { throw ConfigError(message: "--set \(o): unknown key '\(key)'\(Suggestion.hint(for: key, in: knownKeys(like: key)))") }
            let value: TOMLValue
            if let parsed = try? TOML.parse("x = \(raw)").first?.value { value = parsed }
            else { value = .string(raw) }
            do { try set(&config, value) }
            catch let e as ValueError { throw ConfigError(message: "--set \(o): '\(key)' \(e.message)") }
        }
        return config
    }
    typealias Setter = @Sendable (inout Config, TOMLValue) throws -> Void

    static let keys: [String: Setter] = [
        "root": { $0.root = try path($1) },
        "daemon.socket": { $0.socketPath = try path($1) },
        "daemon.socket_group": { $0.socketGroup = try string($1) },
        "daemon.workers": { $0.workers = try int($1, 1...64) },
        "daemon.vips_threads": { $0.vipsThreads = try int($1, 0...64) },
        "daemon.event_log": { $0.eventLog = try bool($1) },
        "daemon.event_log_max_mb": { $0.eventLogMaxMB = try int($1, 1...100_000) },
        "watch.settle_seconds": { $0.settleSeconds = try double($1, 0.05...3600) },
        "watch.check_open_writers": { $0.checkOpenWriters = try bool($1) },
        "ingest.name_pattern": {
            let p = try string($1)
            do { _ = try NamePattern(p) } catch { throw ValueError(message: "is not a usable pattern: \(error)") }
            $0.namePattern = p
        },
        "ingest.max_depth": { $0.inboxMaxDepth = try int($1, 1...16) },
        "ingest.skip_folders": { $0.inboxSkipFolders = try stringArray($1) },
        "ingest.image_extensions": { $0.imageExtensions = try stringArray($1).map { $0.lowercased() } },
        "ingest.sku_sources": {
            let sources = try stringArray($1)
            if let bad = sources.first(where: { !SkuResolver.isValidSource($0) }) {
                throw ValueError(message: "has unknown source '\(bad)'; use \(SkuResolver.knownSources.joined(separator: ", ")) or xmp:<property>")
            }
            if sources.isEmpty { throw ValueError(message: "must name at least one source") }
            $0.skuSources = sources
        },
        "ingest.catalog": { $0.catalogPath = try path($1) },
        "limits.max_pixels": { $0.maxPixels = try int($1, 1...2_000_000_000) },
        "limits.worker_memory_mb": { $0.workerMemoryMB = try int($1, 256...1_048_576) },
        "limits.asset_timeout_seconds": { $0.assetTimeoutSeconds = try double($1, 1...86_400) },
        "limits.max_attempts": { $0.maxAttempts = try int($1, 1...20) },
        "limits.min_free_mb": { $0.minFreeMB = try int($1, 0...10_000_000) },
        "review.hold": { $0.reviewHold = try bool($1) },
        "review.sample_rate": { $0.sampleRate = try double($1, 0...1) },
        "review.sample_seed": { $0.sampleSeed = try string($1) },
        "review.group": {
            let g = try string($1)
            guard !g.isEmpty, !g.contains(where: { $0.isWhitespace || $0 == ":" }) else { throw ValueError(message: "must be a group name, not '\(g)'") }
            $0.reviewGroup = g
        },
        "review.max_clipped_share": { $0.gates.maxClippedShare = try double($1, 0...1) },
        "review.max_crushed_share": { $0.gates.maxCrushedShare = try double($1, 0...1) },
        "review.min_sharpness": { $0.gates.minSharpness = try double($1, 0...1_000_000) },
        "review.sharpness_ratio": { $0.gates.sharpnessRatio = try double($1, 0...1) },
        "review.max_stray_share": { $0.gates.maxStrayShare = try double($1, 0...1) },
        "review.max_correction_ev": { $0.gates.maxCorrectionEV = try double($1, 0...10) },
        "review.max_cast": { $0.gates.maxCast = try double($1, 0...200) },
        "review.min_long_side": { $0.gates.minLongSide = try int($1, 1...65_000) },
        "review.near_duplicate_distance": { $0.gates.nearDuplicateDistance = try double($1, 0...255) },
        "review.min_confidence": { $0.gates.minConfidence = try double($1, 0...1) },
    ]

    static func validate(_ c: Config) throws {
        if c.imageExtensions.isEmpty { throw ValueError(message: "'ingest.image_extensions' must name at least one extension") }
        if let problem = c.export.problems().first { throw ValueError(message: problem) }
        if let problem = c.delivery.problems().first { throw ValueError(message: problem) }
        if let problem = c.web.problems().first { throw ValueError(message: problem) }
        if let problem = c.notify.problems().first { throw ValueError(message: problem) }
        if let problem = WatchFolder.problems(c.watchFolders, root: c.root).first { throw ValueError(message: problem) }
        if let problem = c.generate.problems(presets: c.export.presets, assetTimeoutSeconds: c.assetTimeoutSeconds).first { throw ValueError(message: problem) }
    }

    static func string(_ v: TOMLValue) throws -> String {
        guard case .string(let s) = v else { throw ValueError(message: "must be a string, not \(v.typeName)") }
        return s
    }
    static func path(_ v: TOMLValue) throws -> String {
        let s = try string(v)
        guard s.hasPrefix("/") else { throw ValueError(message: "must be an absolute path, got '\(s)'") }
        return s
    }
    static func bool(_ v: TOMLValue) throws -> Bool {
        guard case .bool(let b) = v else { throw ValueError(message: "must be true or false, not \(v.typeName)") }
        return b
    }
    static func int(_ v: TOMLValue, _ range: ClosedRange<Int>) throws -> Int {
        guard case .integer(let n) = v else { throw ValueError(message: "must be an integer, not \(v.typeName)") }
        guard range.contains(n) else { throw ValueError(message: "must be between \(range.lowerBound) and \(range.upperBound), got \(n)") }
        return n
    }
    static func double(_ v: TOMLValue, _ range: ClosedRange<Double>) throws -> Double {
        let d: Double
        switch v {
        case .integer(let n): d = Double(n)
        case .float(let f): d = f
        default: throw ValueError(message: "must be a number, not \(v.typeName)")
        }
        guard range.contains(d) else { throw ValueError(message: "must be between \(range.lowerBound) and \(range.upperBound), got \(d)") }
        return d
    }
    static func stringArray(_ v: TOMLValue) throws -> [String] {
        guard case .array(let items) = v else { throw ValueError(message: "must be an array of strings, not \(v.typeName)") }
        return try items.map { item in
            guard case .string(let s) = item else { throw ValueError(message: "must hold only strings, found \(item.typeName)") }
            return s
        }
    }
}
