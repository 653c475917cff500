import Foundation
import Imaging
import PipelineCore

/// The generate stage in a worker: for a retouched asset, the variants its rules ask for, each
/// written under `variants/<id>/` in the claimed asset folder. The packshot itself is not touched.
/// A variant that cannot be made is reported with its reason; it never fails the packshot.
public enum GenerateStage {
    /// Builds the variants. `presets` are the channels that take variants (their canvases set
    /// the size the scene is made at).
    public static func run(assetDir: String, manifest m: Manifest, settings: GenerateSettings,
                           presets: [ChannelPreset]) -> (variants: [VariantOutput], problems: [ChannelIssue]) {
        let rules = settings.rules(sku: m.sku, batch: m.batch, view: m.view, catalog: m.catalog)
        guard !rules.isEmpty, m.variantOf == nil else { return ([], []) }
        guard let retouch = m.master?.retouch, m.master?.file != nil else {
            return ([], [ChannelIssue(channel: "generate", code: "no_master", message: "no retouched master to place")])
        }
        let product: MasterProduct
        do {
            product = try MasterProduct.open(assetDir: assetDir, retouch: retouch,
                                             heightCm: MasterProduct.heightCm(catalogueFields: m.catalog ?? [:]),
                                             masterFile: m.master!.file)
        } catch {
            return ([], [ChannelIssue(channel: "generate", code: "master_unreadable", message: "\(error)")])
        }
        var outputs: [VariantOutput] = [], problems: [ChannelIssue] = []
        for rule in rules where rule.generator.isExternal {
            let made = externalVariants(rule, product: product, manifest: m, assetDir: assetDir, settings: settings, presets: presets)
            outputs += made.variants; problems += made.problems
        }
        let sceneRules = rules.filter { !$0.generator.isExternal }
        guard !sceneRules.isEmpty, let folder = settings.plates else { return (outputs, problems) }
        let library: SceneLibrary
        do { library = try SceneLibrary.load(folder: folder) } catch {
            return (outputs, problems + [ChannelIssue(channel: "generate", code: "plates_unreadable", message: "\(error)")])
        }
        for rule in sceneRules {
            let plates = choosePlates(rule, library: library, assetID: m.id)
            if plates.isEmpty {
                problems.append(ChannelIssue(channel: "generate", code: "no_plate",
                                             message: "rule \(rule.name) names no plate found in \(folder): \(rule.scenes.joined(separator: ", "))"))
            }
            for plate in plates {
                let seed = StableHash.of("\(m.id)/\(rule.name)/\(plate.name)")
                let id = variantID(source: m, rule: rule, plate: plate, seed: seed)
                let dir = "variants/\(id)"
                do {
                    try FileOps.makeDirectory("\(assetDir)/\(dir)")
                    // Big enough that each channel's canvas can be cut from it without upscaling.
                    let longSide = presets.isEmpty ? settings.longSide
                        : min(maxLongSide, ScenePlan.longSideNeeded(plateWidth: plate.width, plateHeight: plate.height, presets: presets))
                    var options = SceneCompositor.Options(targetLongSide: longSide)
                    options.seed = seed
                    var record = try SceneVariant.render(product, on: plate, options: options, to: "\(assetDir)/\(dir)/\(VariantOutput.sceneFile)")
                    record.rule = rule.name
                    let s = record.placement.scale, box = product.productBox
                    record.productBox = [record.placement.offsetX + Int((Double(box[0]) * s).rounded()),
                                         record.placement.offsetY + Int((Double(box[1]) * s).rounded()),
                                         Int((Double(box[2]) * s).rounded()), Int((Double(box[3]) * s).rounded())]
                    let size = try thumbnail(of: "\(assetDir)/\(dir)")
                    outputs.append(VariantOutput(id: id, dir: dir, width: size.width, height: size.height, generated: record))
                } catch {
                    try? FileManager.default.removeItem(atPath: "\(assetDir)/\(dir)")
                    problems.append(ChannelIssue(channel: "generate", code: "variant_failed",
                                                 message: "\(rule.name) on plate \(plate.name): \(error)"))
                }
            }
        }
        return (outputs, problems)
    }

    static let thumbLongSide = 360.0

    /// Writes the contact-sheet thumbnail of a variant folder's scene; returns the scene's size. The
    /// JPEG decoder shrinks it while decoding (to no less than the thumbnail), which costs a fraction
    /// of a full decode.
    static func thumbnail(of dir: String) throws -> (width: Int, height: Int) {
        let path = "\(dir)/\(VariantOutput.sceneFile)"
        let scene = try Image.open(path)
        let long = Double(max(scene.width, scene.height))
        let shrink = [8, 4, 2].first { long / Double($0) >= thumbLongSide } ?? 1
        let small = try Image.open(path, shrink: shrink)
        try small.resized(by: min(1, thumbLongSide / Double(max(small.width, small.height))))
            .saveJPEG("\(dir)/\(VariantOutput.thumbFile)", quality: 85)
        return (scene.width, scene.height)
    }
    static let maxLongSide = 6000

    /// The rule's plates (all, by name, when it names none), `variants` of them, starting at a
    /// place that depends on the asset so a catalogue's SKUs spread over the plates.
    static func choosePlates(_ rule: GenerateSettings.Rule, library: SceneLibrary, assetID: String) -> [ScenePlate] {
        let candidates = rule.scenes.isEmpty ? library.plates.sorted { $0.name < $1.name } : rule.scenes.compactMap(library.plate(named:))
        guard !candidates.isEmpty else { return [] }
        let start = Int(StableHash.of(assetID) % UInt64(candidates.count))
        return (0..<min(rule.variants, candidates.count)).map { candidates[(start + $0) % candidates.count] }
    }

    /// Stable for the same master, rule and plate: a rerun after a crash finds the variant it
    /// already made; a new master (a retry) makes new ones.
    static func variantID(source m: Manifest, rule: GenerateSettings.Rule, plate: ScenePlate, seed: UInt64) -> String {
        let key = "\(m.master?.signature ?? "")/\(m.master?.width ?? 0)x\(m.master?.height ?? 0)/\(rule.name)/\(plate.name)/\(seed)"
        let hex = String(StableHash.of(key), radix: 16)
        return "\(m.id)-\(Sanitizer.component(plate.name, fallback: "scene").prefix(24))-\(hex.prefix(8))"
    }
}

/// FNV-1a: the same text gives the same number in every process and on every run.
enum StableHash {
    static func of(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
