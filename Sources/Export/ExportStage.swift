import Foundation
import Imaging
import PipelineCore

/// What one export of an asset produced: a file per channel that could take it, and a reason
/// for each channel that could not.
public struct ExportResult: Sendable {
    public var outputs: [OutputRecord] = []
    public var issues: [ChannelIssue] = []
    public init() {}
}

/// The export stage: every enabled channel's file from one decode of the master. Files are
/// written inside the asset under `out/<channel>/`, verified, and then linked into
/// `export/<channel>/` by the supervisor.
public enum ExportStage {
    /// - Parameter threads: channels rendered at once (each encode is single-threaded in libjpeg).
    public static func run(assetDir: String, manifest m: Manifest, presets: [ChannelPreset],
                           memoryLimitMB: Int = 0, threads: Int = 1) throws -> ExportResult {
        guard let master = m.master else {
            throw StepFailure("no_master", "The asset has no retouched master; retry it from retouch.")
        }
        let wanted = presets.filter { $0.takes(view: m.view) }
        if let g = m.generated { return try SceneExport.run(assetDir: assetDir, manifest: m, generated: g, presets: wanted) }
        var result = ExportResult()
        var named: [(ChannelPreset, String)] = []
        for p in wanted {
            do { named.append((p, try fileName(for: m, preset: p))) }
            catch let e as NamingError { result.issues.append(ChannelIssue(channel: p.name, code: "bad_name", message: e.reason)) }
        }
        // Decoding the master and preparing its sources use every export thread inside libvips;
        // the channels then run side by side, one libvips thread each.
        let previousThreads = Vips.threads
        defer { Vips.threads = previousThreads }
        Vips.threads = threads
        let canvas: MasterCanvas
        do { canvas = try MasterCanvas(path: "\(assetDir)/\(master.file)", productBox: master.retouch?.frame.productBox) }
        catch { throw StepFailure("master_unreadable", "The master cannot be read (\(error)); retry the asset from retouch.") }
        var planned: [(ChannelPreset, String, FitPlan)] = []
        for (p, name) in named {
            do { planned.append((p, name, try canvas.plan(for: p))) }
            catch let e as FitPlan.TooSmall { result.issues.append(ChannelIssue(channel: p.name, code: "too_small", message: e.reason)) }
        }
        try canvas.prepare(planned.map { ($0.0, $0.2) })
        Vips.threads = threads > 1 ? 1 : previousThreads
        // Channels render side by side (libvips is thread-safe; the canvas is read-only now).
        let outcomes = WorkQueue.map(planned, threads: threads, size: { $0.0.width * $0.0.height }) { (p, name, plan) -> Result<OutputRecord, Error> in
            let started = DispatchTime.now()
            return Result {
                var record = try write(canvas: canvas, plan: plan, preset: p, name: name, assetDir: assetDir, manifest: m)
                record.ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
                return record
            }
        }
        for ((p, _, _), outcome) in zip(planned, outcomes) {
            switch outcome {
            case .success(let record): result.outputs.append(record)
            case .failure(let issue as ChannelIssue): result.issues.append(issue)
            case .failure(let e as FileSystemError): throw StepFailure("write_failed", "Cannot write the export for \(p.name): \(e).")
            case .failure(let e): throw StepFailure.processing(step: "export-\(p.name)", detail: "\(e)", memoryLimitMB: memoryLimitMB)
            }
        }
        try removeStale(assetDir: assetDir, keeping: result.outputs)
        return result
    }

    public static func fileName(for m: Manifest, preset p: ChannelPreset) throws -> String {
        // A variant shares its source's file name: its stem says it is a scene, and which slot.
        let stem = splitExtension(m.sourceName).stem + (m.variantOf == nil ? "" : "-scene\(m.view ?? 0)")
        var context = NamingContext(sku: m.sku, view: m.view ?? 1, batch: m.batch, stem: stem,
                                    catalog: m.catalog ?? [:], ext: p.format.fileExtension)
        context.nameColour = m.nameColour
        let name = try NameTemplate(p.nameTemplate).render(context)
        if p.rules == .amazon, let problem = AmazonNaming.problem(with: name) {
            throw NamingError(token: nil, reason: problem)
        }
        return name
    }

    /// Renders, encodes under the byte cap, writes, then verifies the file on disk.
    static func write(canvas: MasterCanvas, plan: FitPlan, preset p: ChannelPreset, name: String,
                      assetDir: String, manifest m: Manifest) throws -> OutputRecord {
        var record = try write(try canvas.render(plan, preset: p), preset: p, name: name, assetDir: assetDir, manifest: m)
        record.fill = (plan.fill * 1000).rounded() / 1000
        return record
    }

    /// Tags, encodes under the byte cap, writes, then verifies the file on disk.
    static func write(_ image: Image, preset p: ChannelPreset, name: String, assetDir: String, manifest m: Manifest,
                      whiteBorder: Bool? = nil) throws -> OutputRecord {
        let meta = ExportMetadata(m.descriptive, policy: p.metadata)
        let tagged = try image.withExportMetadata(xmp: meta.xmp, artist: ExportMetadata.exifText(meta.creator),
                                                  copyright: ExportMetadata.exifText(meta.copyright),
                                                  description: ExportMetadata.exifText(meta.description))
        let (data, quality) = try ByteCap.encode(tagged, preset: p)
        let outDir = "\(assetDir)/out/\(p.name)"
        try FileOps.makeDirectory(outDir)
        let path = "\(outDir)/\(name)"
        try AtomicFile.write(data, to: path)
        let problems = OutputVerifier.check(path: path, preset: p, whiteBorder: whiteBorder ?? p.requiresWhiteBorder)
        guard problems.isEmpty else {
            unlink(path)
            throw ChannelIssue(channel: p.name, code: "verification_failed",
                               message: "\(name) failed \(p.name)'s checks: \(problems.joined(separator: "; ")); the file was not delivered")
        }
        var record = OutputRecord(channel: p.name, path: "out/\(p.name)/\(name)", bytes: data.count, width: p.width, height: p.height,
                                  sha256: FileDigest.of([UInt8](data)).sha256)
        record.quality = quality
        return record
    }

    /// Files left in `out/` by an earlier export that this one did not write (a channel turned off, a renamed file).
    static func removeStale(assetDir: String, keeping outputs: [OutputRecord]) throws {
        let keep = Set(outputs.map(\.path))
        let out = "\(assetDir)/out"
        for channel in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: "\(out)/\(channel)")) ?? []
            where !keep.contains("out/\(channel)/\(file)") {
                unlink("\(out)/\(channel)/\(file)")
            }
        }
    }
}

extension ChannelIssue: Error {}
