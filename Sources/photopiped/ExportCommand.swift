import ArgumentParser
import Export
import Foundation
import Imaging
import PipelineCore

/// `photopiped export`: the channel files of masters made by `photopiped process`, without a
/// daemon: for checking presets and names before a shoot, and for the export benchmark.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Render channel files from folders written by `photopiped process`; print per-channel time, bytes and problems.")
    @Argument(help: "Folders written by `photopiped process` (each holds manifest.json and master.tif).") var folders: [String]
    @Option(help: "The TOML config file (presets, enabled channels, catalogue).") var config: String?
    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set export.channels='[\"shopify\"]' (repeatable).")
    var overrides: [String] = []
    @Flag(help: "Every built-in preset, whatever the config enables.") var allChannels = false
    @Option(help: "Export each folder this many times; times are medians.") var runs = 1
    @Flag(help: "Print JSON instead of a table.") var json = false

    struct Row: Codable {
        var folder: String
        var channel: String
        var file: String?
        var bytes: Int?
        var quality: Int?
        var fill: Double?
        var medianMs: Double?
        var issue: String?
    }
    struct Report: Codable {
        var machine: String
        var rows: [Row]
        /// Per folder: median wall time of one whole export (master decode, every channel, verification).
        var totalMedianMs: [String: Double]
    }

    func run() throws {
        var cfg: Config
        do { cfg = try ConfigLoader.applying(overrides, to: try ConfigLoader.load(path: config)) }
        catch let e as ConfigError { throw ValidationError(e.message) }
        try Vips.start(threads: cfg.vipsThreads)
        let presets = allChannels ? BuiltinPresets.all.filter { $0.name != "default" }.compactMap { cfg.export.presets[$0.name] } : cfg.export.enabled
        let catalog = try cfg.catalogPath.map { try Catalog.load(path: $0) }
        let pattern = try NamePattern(cfg.namePattern)
        var report = Report(machine: Machine.describe(), rows: [], totalMedianMs: [:])
        for folder in folders {
            let m = try manifest(folder: folder, pattern: pattern, catalog: catalog)
            var totals: [Double] = [], perChannel: [String: [Double]] = [:]
            var last = ExportResult()
            for _ in 0..<max(1, runs) {
                let started = DispatchTime.now()
                last = try ExportStage.run(assetDir: folder, manifest: m, presets: presets, memoryLimitMB: cfg.workerMemoryMB,
                                           threads: cfg.export.threads)
                totals.append(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6)
                for o in last.outputs { perChannel[o.channel, default: []].append(o.ms ?? 0) }
            }
            report.totalMedianMs[folder] = median(totals)
            for o in last.outputs {
                report.rows.append(Row(folder: folder, channel: o.channel, file: (o.path as NSString).lastPathComponent, bytes: o.bytes,
                                       quality: o.quality, fill: o.fill, medianMs: median(perChannel[o.channel] ?? [])))
            }
            for i in last.issues { report.rows.append(Row(folder: folder, channel: i.channel, issue: "\(i.code): \(i.message)")) }
        }
        if json {
            print(String(decoding: try ManifestStore.encoder().encode(report), as: UTF8.self))
        } else {
            print("machine: \(report.machine)")
            let rows = report.rows.map { r in
                [r.channel, r.file ?? "-", r.bytes.map(String.init) ?? "-", r.quality.map(String.init) ?? "-",
                 r.fill.map { String(format: "%.3f", $0) } ?? "-", r.medianMs.map { String(format: "%.0f", $0) } ?? "-", r.issue ?? ""]
            }
            let all = [["CHANNEL", "FILE", "BYTES", "Q", "FILL", "MS", "ISSUE"]] + rows
            let widths = (0..<7).map { c in all.map { $0[c].count }.max() ?? 0 }
            for r in all {
                print(r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
            for (f, t) in report.totalMedianMs.sorted(by: { $0.key < $1.key }) {
                print("\(f): whole export (decode + \(presets.count) channels + verification), median of \(max(1, runs)): \(String(format: "%.0f", t)) ms")
            }
        }
        if report.rows.contains(where: { $0.issue != nil }) { throw ExitCode(1) }
    }

    /// An asset manifest for a `process` folder: SKU and view from the file name, catalogue row, metadata.
    func manifest(folder: String, pattern: NamePattern, catalog: Catalog?) throws -> Manifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/manifest.json"))
        let r = try ManifestStore.decoder().decode(Process.FileResult.self, from: data)
        guard let master = r.master else { throw ValidationError("\(folder): the file failed in `process` (\(r.error ?? "no master"))") }
        let name = (r.file as NSString).lastPathComponent
        let naming = pattern.resolve(stem: splitExtension(name).stem)
        var m = Manifest(id: r.folder, batch: "process", sourceName: name, original: r.file, sha256: r.sha256 ?? "",
                         bytes: 0, sku: naming.sku, view: naming.view ?? 1, skuSource: "name", arrivedAt: Date())
        m.master = master
        m.descriptive = r.descriptive
        m.catalog = catalog?.row(sku: naming.sku)?.fields
        return m
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
