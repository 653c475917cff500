import Foundation

/// Supervisor → worker: one JSON line per job.
public struct WorkerJob: Codable, Sendable {
    public var seq: Int
    public var step: Step
    /// The claimed file (ingest) or asset directory (other steps).
    public var path: String
    public var root: String
    public var settings: JobSettings
    public init(seq: Int, step: Step, path: String, root: String, settings: JobSettings) {
        self.seq = seq; self.step = step; self.path = path; self.root = root; self.settings = settings
    }
}

/// The part of the config a job needs; sent with every job so a reload needs no worker restart.
public struct JobSettings: Codable, Sendable {
    public var maxPixels: Int
    public var retouch: RetouchSettings
    /// The enabled channel presets, in order.
    public var presets: [ChannelPreset]
    public var exportThreads: Int
    public var workerMemoryMB: Int
    public var generate: GenerateSettings
    public init(_ c: Config) {
        generate = c.generate
        workerMemoryMB = c.workerMemoryMB
        maxPixels = c.maxPixels; retouch = c.retouch
        presets = c.export.enabled; exportThreads = c.export.threads
    }
}

/// Worker → supervisor: one JSON line per job.
public struct WorkerReply: Codable, Sendable {
    public var seq: Int
    public var ok: Bool
    public var failure: StepFailure?
    public var digest: DigestInfo?
    public var source: SourceInfo?
    public var camera: CameraInfo?
    public var descriptive: DescriptiveMetadata?
    public var master: MasterInfo?
    public var outputs: [OutputRecord]?
    public var exportIssues: [ChannelIssue]?
    /// Generate: the variants made, each in `variants/<id>/` of the claimed asset.
    public var variants: [VariantOutput]?
    /// Time the worker spent on the job itself, to separate image work from daemon overhead.
    public var computeMs: Double?
    /// The worker exits after this reply (it ran into its memory cap): send it nothing more.
    public var retiring: Bool?
    public init(seq: Int, ok: Bool) { self.seq = seq; self.ok = ok }
}

extension WorkerReply {
    /// The supervisor builds paths from a reply: a digest must be 64 hex digits, outputs must
    /// stay inside the asset's `out/` folder.
    public var isWellFormed: Bool {
        if let d = digest, d.sha256.count != 64 || !d.sha256.allSatisfy(\.isHexDigit) { return false }
        for v in variants ?? [] where v.dir != "variants/\(v.id)" || Sanitizer.component(v.id) != v.id { return false }
        for o in outputs ?? [] {
            let parts = o.path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "out", !parts.contains(where: { $0.isEmpty || $0.hasPrefix(".") }),
                  Sanitizer.component(o.channel) == o.channel, parts[1] == o.channel else { return false }
        }
        return true
    }
}

public struct DigestInfo: Codable, Sendable, Equatable {
    public var sha256: String
    public var bytes: Int
    public init(sha256: String, bytes: Int) { self.sha256 = sha256; self.bytes = bytes }
}

/// A failure a stage can name: a machine-readable code and a sentence a person can act on.
public struct StepFailure: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public init(_ code: String, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code): \(message)" }
}

extension StepFailure {
    /// A camera RAW file whose header LibRaw cannot read (not RAW, an unknown camera, cut short).
    public static func unreadableRaw(_ error: Error) -> StepFailure {
        StepFailure("unreadable_header", "The RAW file cannot be read (\(error)). Copy it again from the camera or the tether folder.")
    }

    /// A libvips error during image work, named for what a person can do about it.
    public static func processing(step: String, detail: String, memoryLimitMB: Int) -> StepFailure {
        // Under the address-space cap, an allocation or a thread's stack is what gives out first.
        let exhausted = ["out of memory", "Cannot allocate memory", "Error creating thread"]
        if exhausted.contains(where: detail.contains) {
            return StepFailure("memory_limit", "The image needed more memory than a worker may use (limits.worker_memory_mb = \(memoryLimitMB)) at step '\(step)'. Raise limits.worker_memory_mb or lower retouch.master_long_side, then `pipectl retry` the asset.")
        }
        if DiskGuard.says(outOfSpace: detail) {
            return .diskFull(step: step, detail: detail)
        }
        return StepFailure("decode_failed", "The image data could not be processed at step '\(step)' (\(detail)). The file is probably truncated or damaged; export it again from the capture software.")
    }
}
