import Foundation

/// Everything known about one asset. Lives as `manifest.json` inside the asset's directory.
public struct Manifest: Codable, Sendable, Equatable {
    public var version = 1
    public var id: String
    public var batch: String
    public var sourceName: String
    /// Relative to the root, e.g. `originals/shoot-01/SKU1_1.jpg`.
    public var original: String
    public var sha256: String
    public var bytes: Int
    public var sku: String
    public var view: Int?
    /// "name" when the file name carried the view; "capture" when it was numbered in capture-time
    /// order; "arrival" when the frame had no capture time and was numbered by arrival.
    public var viewSource: String?
    /// Set when another asset already holds this view of the SKU.
    public var viewClashWith: String?
    public var skuSource: String
    /// The colour the file name carried (named group `colour`), for names when the catalogue has none.
    public var nameColour: String?
    public var skuResolution: SkuResolution?
    /// The catalogue row's fields (handle, gtin, title, alt_text…), for naming and export.
    public var catalog: [String: String]?
    public var arrivedAt: Date
    public var source: SourceInfo?
    public var camera: CameraInfo?
    public var descriptive: DescriptiveMetadata?
    /// The frame's XMP sidecar, kept beside the original (e.g. `originals/shoot-01/IMG_1.CR3.xmp`).
    public var sidecar: String?
    public var master: MasterInfo?
    public var review: ReviewRecord?
    public var outputs: [OutputRecord] = []
    /// Channels that got no file at the last export, and why (for a person).
    public var exportIssues: [ChannelIssue]?
    public var attempts: [String: Int] = [:]
    public var history: [HistoryEntry] = []
    public var duplicates: [DuplicateRecord] = []
    public var error: FailureRecord?
    /// `retouch.KEY=VALUE` overrides for this asset (`pipectl retry --set`), applied at every rebuild.
    public var retouchOverrides: [String]?
    /// A generated variant: the asset it was made from. Variants always wait for a person.
    public var variantOf: String?
    /// What made the variant, where the product was put, and how faithful it is.
    public var generated: GeneratedRecord?
    /// A source's variants (asset ids), and the variants its rules asked for that could not be made.
    public var variants: [String]?
    public var generateIssues: [ChannelIssue]?
    /// What reviewers said when they rejected it, with the box they drew: kept across retries.
    public var reviewNotes: [ReviewNote]?

    public init(id: String, batch: String, sourceName: String, original: String, sha256: String, bytes: Int,
                sku: String, view: Int?, skuSource: String, arrivedAt: Date) {
        self.id = id; self.batch = batch; self.sourceName = sourceName; self.original = original
        self.sha256 = sha256; self.bytes = bytes; self.sku = sku; self.view = view
        self.skuSource = skuSource; self.arrivedAt = arrivedAt
    }
}

public struct SourceInfo: Codable, Sendable, Equatable {
    public var loader: String
    public var width: Int
    public var height: Int
    public var bands: Int
    public var orientation: Int
    public var hasICCProfile: Bool
    public init(loader: String, width: Int, height: Int, bands: Int, orientation: Int, hasICCProfile: Bool) {
        self.loader = loader; self.width = width; self.height = height; self.bands = bands
        self.orientation = orientation; self.hasICCProfile = hasICCProfile
    }
}

public struct MasterInfo: Codable, Sendable, Equatable {
    public var file: String
    public var width: Int
    public var height: Int
    /// Colour signature of the master (8×8 sRGB thumbnail, hex); for near-duplicates within a SKU.
    public var signature: String?
    public var retouch: RetouchRecord?
    public init(file: String, width: Int, height: Int, signature: String? = nil, retouch: RetouchRecord? = nil) {
        self.file = file; self.width = width; self.height = height; self.signature = signature; self.retouch = retouch
    }
    public var longSide: Int { max(width, height) }
}

extension GateResult {
    /// The channel-size gate's words when every channel is short: said by review and the workbench.
    public static let noChannelLeft = "no channel can take it, so approving exports nothing"
}

public struct GateResult: Codable, Sendable, Equatable {
    public var gate: String
    public var value: Double
    public var threshold: Double
    public var passed: Bool
    public var reason: String?
    public init(gate: String, value: Double, threshold: Double, passed: Bool, reason: String? = nil) {
        self.gate = gate; self.value = value; self.threshold = threshold; self.passed = passed; self.reason = reason
    }
}

/// How review decided an asset. Stored as the strings manifests have always held.
public enum ReviewStatus: String, Codable, Sendable, CaseIterable {
    /// Passed every gate and was not sampled: on to export without a person.
    case autoApproved = "auto-approved"
    /// Passed, but held as part of the batch's statistical sample.
    case sampled
    /// Held because review is set to hold everything.
    case held
    /// Failed a gate: waits for a person with the reason.
    case exception
    /// A generated variant: always waits for a person, never sampled out.
    case generated
    /// A person approved it.
    case approved
    /// A person rejected it (it is in failed/).
    case rejected
}

public struct ReviewRecord: Codable, Sendable, Equatable {
    public var status: ReviewStatus
    /// Held as part of the batch's statistical sample (stays true once a person approves it).
    public var sampled: Bool?
    public var gates: [GateResult]
    public var decidedBy: String?
    public var decidedAt: Date?
    public var reason: String?
    public init(status: ReviewStatus, gates: [GateResult], decidedBy: String? = nil, decidedAt: Date? = nil, reason: String? = nil) {
        self.status = status; self.gates = gates; self.decidedBy = decidedBy; self.decidedAt = decidedAt; self.reason = reason
    }
}

/// A reviewer's rejection: who, when, why, and where on the master (pixels), if they marked it.
public struct ReviewNote: Codable, Sendable, Equatable {
    public var by: String
    public var at: Date
    public var note: String
    public var box: NoteBox?
    public init(by: String, at: Date, note: String, box: NoteBox? = nil) {
        self.by = by; self.at = at; self.note = note; self.box = box
    }
}

public struct NoteBox: Codable, Sendable, Equatable {
    public var x: Int, y: Int, w: Int, h: Int
    public init(x: Int, y: Int, w: Int, h: Int) { self.x = x; self.y = y; self.w = w; self.h = h }
}

public struct OutputRecord: Codable, Sendable, Equatable {
    public var channel: String
    /// Relative to the root, e.g. `export/default/SKU1_1.jpg`.
    public var path: String
    public var bytes: Int
    public var width: Int
    public var height: Int
    public var sha256: String
    /// The encoder quality used (lower than the preset's when the byte cap needed it).
    public var quality: Int?
    /// The product's longest side against the canvas.
    public var fill: Double?
    /// Milliseconds to render, encode, write and verify this file.
    public var ms: Double?
    public init(channel: String, path: String, bytes: Int, width: Int, height: Int, sha256: String) {
        self.channel = channel; self.path = path; self.bytes = bytes; self.width = width; self.height = height; self.sha256 = sha256
    }
}

/// A channel that got no file for an asset: bad name, too small, over its byte cap, failed verification, name taken.
public struct ChannelIssue: Codable, Sendable, Equatable {
    public var channel: String
    public var code: String
    public var message: String
    /// For `name_taken`: the file name another asset holds.
    public var file: String?
    /// For a generated variant given up: the id it would have had.
    public var variant: String?
    public init(channel: String, code: String, message: String, file: String? = nil, variant: String? = nil) {
        self.channel = channel; self.code = code; self.message = message; self.file = file; self.variant = variant
    }
}

public struct HistoryEntry: Codable, Sendable, Equatable {
    public var step: String
    public var to: String
    public var at: Date
    /// Wall time from dispatch to the step's end, as the supervisor saw it.
    public var ms: Double?
    /// Of that, the time the worker spent on the image work.
    public var workerMs: Double?
    public var note: String?
    public init(step: String, to: String, at: Date, ms: Double? = nil, workerMs: Double? = nil, note: String? = nil) {
        self.step = step; self.to = to; self.at = at; self.ms = ms; self.workerMs = workerMs; self.note = note
    }
}

public struct DuplicateRecord: Codable, Sendable, Equatable {
    public var batch: String
    public var name: String
    public var keptAt: String
    public var at: Date
    public init(batch: String, name: String, keptAt: String, at: Date) {
        self.batch = batch; self.name = name; self.keptAt = keptAt; self.at = at
    }
}

/// Written as `error.json` beside the manifest of a failed asset.
public struct FailureRecord: Codable, Sendable, Equatable {
    public var step: String
    public var code: String
    public var message: String
    public var attempts: Int
    public var at: Date
    public init(step: String, code: String, message: String, attempts: Int, at: Date) {
        self.step = step; self.code = code; self.message = message; self.attempts = attempts; self.at = at
    }
}

public enum ManifestStore {
    public static let fileName = "manifest.json"

    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = Timestamps.encoding
        return e
    }
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = Timestamps.decoding
        return d
    }

    public static func read(assetDir: String) throws -> Manifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(assetDir)/\(fileName)"))
        return try decoder().decode(Manifest.self, from: data)
    }

    public static func write(_ manifest: Manifest, assetDir: String) throws {
        try AtomicFile.write(try encoder().encode(manifest), to: "\(assetDir)/\(fileName)")
    }

    public static func writeFailure(_ failure: FailureRecord, assetDir: String) throws {
        try AtomicFile.write(try encoder().encode(failure), to: "\(assetDir)/error.json")
    }
}
