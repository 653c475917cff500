import ArgumentParser
import Foundation
import Generate
import Imaging
import PipelineCore
import Review

/// `photopiped generate`: variants of retouched masters without a daemon, for calibrating plates
/// and their sidecars, or a generator rule. Takes daemon asset folders or `photopiped process` output folders.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make variants of retouched masters (asset or `process` folders) on a folder of plates or by a config rule; write each variant, its record and a summary.")
    @Argument(help: "Folders holding master.tif, mask.png and manifest.json (daemon assets or `photopiped process` output).")
    var folders: [String]
    @Option(help: "Folder for the results (one folder per input, plus summary.tsv and summary.json).") var out: String
    @Option(help: "The scene library (plates with .toml sidecars); default: the config's generate.plates.") var plates: String?
    @Option(name: .customLong("scene"), help: "Only this plate (repeatable); default: every plate.") var scenes: [String] = []
    @Option(help: "Long side of each variant.") var longSide = 2000
    @Option(help: "The product's height in cm, for plates that give px_per_cm (default: the manifest's catalogue row).")
    var heightCm: Double?
    @Option(help: "The TOML config file.") var config: String?
    @Option(help: "A rule of the config's [generate] (comfyui, command, or scene with its plates) instead of --plates.")
    var rule: String?

    /// One variant made (or given up), as written beside it and in summary.json.
    struct Made: Codable {
        var folder: String
        /// The plate, or for an external rule the scene words (`-` when it has none).
        var plate: String
        var file: String?
        var error: String?
        var generated: GeneratedRecord?
        /// What review would decide: the variant gate's verdict and figures.
        var review: ReviewRecord?
    }

    func run() throws {
        let cfg: Config
        do { cfg = try ConfigLoader.load(path: config) } catch let e as ConfigError { throw ValidationError(e.message) }
        let chosenRule = try rule.map { name in
            guard let r = cfg.generate.rules[name] else {
                let known = cfg.generate.rules.keys.sorted()
                throw ValidationError("no rule \(name) in the config's [generate] (\(known.isEmpty ? "it has none" : "there are: " + known.joined(separator: ", ")))")
            }
            return r
        }
        try Vips.start(threads: cfg.vipsThreads)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if let r = chosenRule, r.generator.isExternal { return try finish(runExternal(r, settings: cfg.generate)) }
        guard let folder = plates ?? cfg.generate.plates else { throw ValidationError("name the plates: --plates DIR, or generate.plates in --config") }
        let library: SceneLibrary
        do { library = try SceneLibrary.load(folder: folder) } catch { throw ValidationError("\(error)") }
        let wanted = scenes.isEmpty ? chosenRule?.scenes ?? [] : scenes
        let chosen = wanted.isEmpty ? library.plates : try wanted.map { name in
            guard let p = library.plate(named: name) else {
                throw ValidationError("no plate named \(name) in \(folder) (there are: \(library.plates.map(\.name).joined(separator: ", ")))")
            }
            return p
        }
        var made: [Made] = []
        for input in folders {
            let name = Sanitizer.component((input as NSString).lastPathComponent, fallback: "asset")
            let dir = "\(out)/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let product: MasterProduct
            do { product = try Self.product(in: input, heightCm: heightCm) } catch {
                made.append(Made(folder: input, plate: "-", error: "\(error)"))
                print("failed  \(input): \(error)")
                continue
            }
            for plate in chosen {
                var options = SceneCompositor.Options(targetLongSide: longSide)
                options.seed = 1
                let file = "\(Sanitizer.component(plate.name, fallback: "scene")).jpg"
                do {
                    let g = try SceneVariant.render(product, on: plate, options: options, to: "\(dir)/\(file)")
                    let one = Made(folder: input, plate: plate.name, file: "\(name)/\(file)", generated: g, review: VariantGate.review(g, source: name, limits: .init(rule: chosenRule)))
                    try ManifestStore.encoder().encode(one).write(to: URL(fileURLWithPath: "\(dir)/\(file).json"))
                    made.append(one)
                } catch {
                    made.append(Made(folder: input, plate: plate.name, error: "\(error)"))
                }
            }
        }
        try finish(made)
    }

    /// summary.json, summary.tsv and the table printed; a variant that failed fails the run.
    func finish(_ made: [Made]) throws {
        try ManifestStore.encoder().encode(made).write(to: URL(fileURLWithPath: "\(out)/summary.json"))
        let table = Self.summary(made)
        try table.write(toFile: "\(out)/summary.tsv", atomically: true, encoding: .utf8)
        print(table.replacingOccurrences(of: "\t", with: "  "), terminator: "")
        if made.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }

    /// The master, mask and product box of an asset folder or a `process` folder, whose manifest
    /// carries the retouch record under `master` either way.
    static func product(in folder: String, heightCm: Double?) throws -> MasterProduct {
        struct Head: Decodable {
            var master: MasterInfo?
            var catalog: [String: String]?
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(ManifestStore.fileName)"))
        let head = try ManifestStore.decoder().decode(Head.self, from: data)
        guard let master = head.master, let retouch = master.retouch else {
            throw GenerateError("no_master", "\(folder) has no retouched master in its manifest; run `photopiped process` on the photograph first")
        }
        return try MasterProduct.open(assetDir: folder, retouch: retouch,
                                      heightCm: heightCm ?? MasterProduct.heightCm(catalogueFields: head.catalog ?? [:]),
                                      masterFile: master.file)
    }

    static func summary(_ made: [Made]) -> String {
        var lines = ["folder\tplate\tsize\tscale\texposure_ev\tcontrast\tfidelity_mean\tfidelity_p95\tredrawn_dE\tredrawn_iou\tverdict\tms\tresult"]
        for m in made {
            guard let g = m.generated else {
                lines.append("\(m.folder)\t\(m.plate)\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t\(m.error ?? "failed")")
                continue
            }
            let f = g.fidelity, p = g.placement
            let verdict = m.review.map { $0.status == .exception ? "held: " + $0.gates.filter { !$0.passed }.map(\.gate).joined(separator: ",") : "passes" } ?? "-"
            lines.append([m.folder, m.plate, "\(p.outputWidth)x\(p.outputHeight)", String(format: "%.3f", p.scale),
                          String(format: "%+.2f", g.adjustment.exposureEV), String(format: "%.2f", g.adjustment.contrast),
                          String(format: "%.2f", f.meanDeltaE), String(format: "%.2f", f.p95DeltaE),
                          g.redrawn.map { String(format: "%.2f", $0.meanDeltaE) } ?? "-", g.redrawn.map { String(format: "%.3f", $0.shapeIoU) } ?? "-",
                          verdict, String(format: "%.0f", g.timings["total"] ?? 0), m.file ?? ""].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
