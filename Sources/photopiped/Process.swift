import ArgumentParser
import Foundation
import Imaging
import Ingest
import PipelineCore
import Retouch
import Review

/// `photopiped process`: the stages on a handful of files, without a daemon, for calibrating a
/// new studio set-up and for the quality harness and benchmark.
struct Process: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run ingest and retouch on files without a daemon; write master, mask, preview and manifest per file.")
    @Argument(help: "Image files.") var files: [String]
    @Option(help: "Folder for the results (one folder per file, plus summary.tsv and summary.json).") var out: String
    @Option(help: "The TOML config file.") var config: String?
    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set retouch.shadow=none (repeatable).")
    var overrides: [String] = []
    @Flag(help: "Print nothing but the summary table.") var quiet = false

    struct FileResult: Codable {
        var file: String
        var folder: String
        var ok: Bool
        var error: String?
        var sha256: String?
        var source: SourceInfo?
        var camera: CameraInfo?
        var descriptive: DescriptiveMetadata?
        var master: MasterInfo?
        /// The review gates on this file, the files before it standing in for its batch.
        var review: ReviewRecord?
        /// Time the gate evaluation itself took (the pixel measurements are in the retouch timings).
        var reviewMs: Double?
        var totalMs: Double
    }

    func run() throws {
        var cfg: Config
        do { cfg = try ConfigLoader.applying(overrides, to: try ConfigLoader.load(path: config)) }
        catch let e as ConfigError { throw ValidationError(e.message) }
        try Vips.start(threads: cfg.vipsThreads)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var results: [FileResult] = []
        var used = Set<String>()
        var tally = Sampler.Tally()
        var policy = ReviewPolicy(cfg)
        policy.sampler = Sampler(rate: 0, seed: cfg.sampleSeed)
        for file in files {
            var stem = Sanitizer.component(((file as NSString).lastPathComponent as NSString).deletingPathExtension)
            if stem.isEmpty { stem = "file" }
            var folder = stem, n = 2
            while used.contains(folder) { folder = "\(stem)-\(n)"; n += 1 }
            used.insert(folder)
            let dir = "\(out)/\(folder)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let r = processOne(file, dir: dir, folder: folder, cfg, policy: policy, tally: &tally)
            let data = try ManifestStore.encoder().encode(r)
            try data.write(to: URL(fileURLWithPath: "\(dir)/manifest.json"))
            results.append(r)
            if !quiet { print(r.ok ? "ok      \(file) → \(dir)" : "failed  \(file): \(r.error ?? "")") }
        }
        try ManifestStore.encoder().encode(results).write(to: URL(fileURLWithPath: "\(out)/summary.json"))
        let table = Self.summary(results)
        try table.write(toFile: "\(out)/summary.tsv", atomically: true, encoding: .utf8)
        print(table.replacingOccurrences(of: "\t", with: "  "), terminator: "")
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    func processOne(_ file: String, dir: String, folder: String, _ cfg: Config, policy: ReviewPolicy, tally: inout Sampler.Tally) -> FileResult {
        let started = DispatchTime.now()
        var r = FileResult(file: file, folder: folder, ok: false, totalMs: 0)
        do {
            let probe = try IngestProbe.run(path: file, maxPixels: cfg.maxPixels)
            r.sha256 = probe.digest.sha256; r.source = probe.source; r.camera = probe.camera; r.descriptive = probe.descriptive
            if let f = probe.failure { throw f }
            var clock = StepClock()
            let output = try RetouchStage.process(original: file, settings: cfg.retouch, maxPixels: cfg.maxPixels,
                                                  memoryLimitMB: cfg.workerMemoryMB, clock: &clock)
            try output.masterImage.saveMasterTIFF("\(dir)/\(RetouchStage.masterFile)")
            try Image(output.mask).savePNG("\(dir)/\(RetouchStage.maskFile)")
            clock.lap("write")
            try RetouchStage.thumbnail(output.master).saveJPEG("\(dir)/\(RetouchStage.thumbFile)", quality: 85)
            clock.lap("thumbnail")
            try output.masterImage.flattened(on: .white).saveJPEG("\(dir)/preview.jpg", quality: 90)
            // The two cut-outs the stage compared, at its analysis size.
            try Image(output.keyingMap).savePNG("\(dir)/matte-keying.png")
            if let net = output.networkMap { try Image(net).savePNG("\(dir)/matte-network.png") }
            var record = output.record
            record.timings = clock.laps
            r.master = MasterInfo(file: RetouchStage.masterFile, width: output.master.width, height: output.master.height, retouch: record)
            r.ok = true
            var m = Manifest(id: folder, batch: "process", sourceName: (file as NSString).lastPathComponent, original: file,
                             sha256: probe.digest.sha256, bytes: probe.digest.bytes, sku: folder, view: nil, skuSource: "file",
                             arrivedAt: Date())
            m.source = probe.source; m.master = r.master
            let t0 = DispatchTime.now()
            r.review = policy.decide(m, nearest: nil, tally: &tally, skuHasSeveralViews: false).record
            r.reviewMs = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6
        } catch {
            r.error = "\(error)"
        }
        r.totalMs = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        return r
    }

    /// "pass", or the failed gates: what the daemon would send to a person.
    static func reviewColumn(_ r: ReviewRecord?) -> String {
        guard let r else { return "-" }
        let failed = r.gates.filter { !$0.passed }.map(\.gate)
        return failed.isEmpty ? "pass" : "exception: " + failed.joined(separator: ",")
    }

    static func summary(_ results: [FileResult]) -> String {
        var lines = ["file\tconfidence\tflags\tmatte\tagreement\tproduct_box\tedge_dE\tcorrection_EV\tdecode_ms\tretouch_ms\ttotal_ms\treview"]
        for r in results {
            guard let m = r.master?.retouch else {
                lines.append("\(r.folder)\t-\tfailed: \(r.error ?? "")\t-\t-\t-\t-\t-\t-\t-\t\(Int(r.totalMs))\t-")
                continue
            }
            let decode = (m.timings["decode-analysis"] ?? 0) + (m.timings["decode-full"] ?? 0)
            let work = m.timings.values.reduce(0, +) - decode - (m.timings["write"] ?? 0) - (m.timings["thumbnail"] ?? 0)
            lines.append([r.folder, String(format: "%.2f", m.confidence), m.flags.isEmpty ? "-" : m.flags.joined(separator: ","),
                          m.matte.winner ?? "keying-only", m.matte.agreement.map { String(format: "%.3f", $0) } ?? "-",
                          m.frame.productBox.map(String.init).joined(separator: ","), String(format: "%.1f", m.matte.edgeContrast),
                          String(format: "%+.2f", m.correction.exposureEV), String(format: "%.0f", decode),
                          String(format: "%.0f", work), String(format: "%.0f", r.totalMs), reviewColumn(r.review)].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
