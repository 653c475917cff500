import Foundation
import Generate
import PipelineCore
import Review

extension GenerateCommand {
    /// An external rule (comfyui or command) on each folder, as the stage runs it in a worker (same
    /// canvas, seeds, attempts and timeouts), each variant judged by the rule's own gate limits.
    /// Writes `<folder>/<variant>.jpg` and its record `<variant>.jpg.json`.
    func runExternal(_ rule: GenerateSettings.Rule, settings: GenerateSettings) throws -> [Made] {
        var settings = settings
        settings.longSide = longSide
        var made: [Made] = []
        for input in folders {
            let name = Sanitizer.component((input as NSString).lastPathComponent, fallback: "asset")
            let dir = "\(out)/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let product: MasterProduct, manifest: Manifest
            do {
                product = try Self.product(in: input, heightCm: heightCm)
                manifest = try Self.manifest(in: input, name: name)
            } catch {
                made.append(Made(folder: input, plate: "-", error: "\(error)"))
                print("failed  \(input): \(error)")
                continue
            }
            let result = GenerateStage.externalVariants(rule, product: product, manifest: manifest, assetDir: dir, settings: settings, presets: [])
            for v in result.variants {
                let file = "\(Sanitizer.component(v.id, fallback: "variant")).jpg"
                try? FileManager.default.removeItem(atPath: "\(dir)/\(file)")
                try FileManager.default.moveItem(atPath: "\(dir)/\(v.dir)/\(VariantOutput.sceneFile)", toPath: "\(dir)/\(file)")
                try? FileManager.default.removeItem(atPath: "\(dir)/\(v.dir)")
                var g = v.generated
                g.file = file
                let one = Made(folder: input, plate: g.scene ?? "-", file: "\(name)/\(file)", generated: g,
                               review: VariantGate.review(g, source: name, limits: .init(rule: rule)))
                try ManifestStore.encoder().encode(one).write(to: URL(fileURLWithPath: "\(dir)/\(file).json"))
                made.append(one)
            }
            for p in result.problems {
                made.append(Made(folder: input, plate: p.variant ?? "-", error: "\(p.code): \(p.message)"))
            }
            try? FileManager.default.removeItem(atPath: "\(dir)/variants")
        }
        return made
    }

    /// A daemon asset's manifest; for a `process` folder (whose manifest is the run's record of the
    /// file) one made from it, named by the folder, so prompts and seeds have what they use.
    static func manifest(in folder: String, name: String) throws -> Manifest {
        if let m = try? ManifestStore.read(assetDir: folder) { return m }
        struct Processed: Decodable {
            var file: String
            var sha256: String?
            var master: MasterInfo?
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(ManifestStore.fileName)"))
        let p = try ManifestStore.decoder().decode(Processed.self, from: data)
        var m = Manifest(id: name, batch: "process", sourceName: (p.file as NSString).lastPathComponent, original: p.file,
                         sha256: p.sha256 ?? "", bytes: 0, sku: name, view: nil, skuSource: "file", arrivedAt: Date(timeIntervalSince1970: 0))
        m.master = p.master
        return m
    }
}
