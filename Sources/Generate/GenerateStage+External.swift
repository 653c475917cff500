import Foundation
import Imaging
import PipelineCore

extension GenerateStage {
    /// An external rule's variants of one asset: one per scene word (or per number when the rule
    /// names none), each retried inside this job up to the rule's attempts. A variant given up is a
    /// problem carrying its id, never a failure of the packshot.
    public static func externalVariants(_ rule: GenerateSettings.Rule, product: MasterProduct, manifest m: Manifest, assetDir: String,
                                 settings: GenerateSettings, presets: [ChannelPreset]) -> (variants: [VariantOutput], problems: [ChannelIssue]) {
        // A square scene every channel's canvas can be cut from without upscaling.
        let side = presets.isEmpty ? settings.longSide : min(maxLongSide, ScenePlan.longSideNeeded(plateWidth: 1, plateHeight: 1, presets: presets))
        let placement: VariantPlacement
        do { placement = try ExternalCanvas.placement(product: product, side: side) } catch {
            return ([], [ChannelIssue(channel: "generate", code: "no_placement", message: "rule \(rule.name): \(error)")])
        }
        let context = NamingContext(sku: m.sku, view: m.view ?? 1, batch: m.batch, stem: (m.sourceName as NSString).deletingPathExtension,
                                    catalog: m.catalog ?? [:], ext: "")
        let prompt = try? PromptTemplate(rule.prompt ?? ""), negative = try? PromptTemplate(rule.negativePrompt ?? "")
        var outputs: [VariantOutput] = [], problems: [ChannelIssue] = []
        for (k, scene) in externalScenes(rule, assetID: m.id).enumerated() {
            // Below 2^53, so a workflow's JSON integer survives any reader.
            let seed = StableHash.of("\(m.id)/\(rule.name)/\(scene ?? "")/\(k)") & ((1 << 53) - 1)
            let key = "\(m.master?.signature ?? "")/\(m.master?.width ?? 0)x\(m.master?.height ?? 0)/\(rule.name)/\(scene ?? "")/\(k)/\(seed)"
            let label = Sanitizer.component(scene ?? rule.name, fallback: "variant").prefix(24)
            let id = "\(m.id)-\(label)-\(String(StableHash.of(key), radix: 16).prefix(8))"
            let dir = "variants/\(id)"
            let request = ExternalRequest(variant: id, rule: rule.name, sku: m.sku, batch: m.batch, view: m.view, catalog: m.catalog ?? [:],
                                          scene: scene, prompt: prompt?.render(context, scene: scene, rule: rule.name) ?? "",
                                          negativePrompt: negative?.render(context, scene: scene, rule: rule.name) ?? "",
                                          seed: seed, placement: placement, keepProduct: rule.keepProduct)
            do {
                try FileOps.makeDirectory("\(assetDir)/\(dir)")
                var record = try ExternalVariant.make(product, rule: rule, request: request, in: "\(assetDir)/\(dir)")
                record.rule = rule.name
                record.productBox = productBox(product, placement)
                let size = try thumbnail(of: "\(assetDir)/\(dir)")
                outputs.append(VariantOutput(id: id, dir: dir, width: size.width, height: size.height, generated: record))
            } catch let gaveUp as ExternalVariant.GaveUp {
                try? FileManager.default.removeItem(atPath: "\(assetDir)/\(dir)")
                problems.append(ChannelIssue(channel: "generate", code: gaveUp.code,
                                             message: "rule \(rule.name)\(scene.map { ", scene '\($0)'" } ?? ""): \(gaveUp.message)", variant: id))
            } catch {
                try? FileManager.default.removeItem(atPath: "\(assetDir)/\(dir)")
                problems.append(ChannelIssue(channel: "generate", code: "variant_failed",
                                             message: "rule \(rule.name)\(scene.map { ", scene '\($0)'" } ?? ""): \(error)", variant: id))
            }
        }
        return (outputs, problems)
    }

    /// `variants` scene words from the rule, starting at a place that depends on the asset (nil
    /// each when it names none; then the variants differ by seed only).
    static func externalScenes(_ rule: GenerateSettings.Rule, assetID: String) -> [String?] {
        guard !rule.scenes.isEmpty else { return Array(repeating: nil, count: rule.variants) }
        let start = Int(StableHash.of(assetID) % UInt64(rule.scenes.count))
        return (0..<rule.variants).map { rule.scenes[(start + $0) % rule.scenes.count] }
    }

    static func productBox(_ product: MasterProduct, _ p: VariantPlacement) -> [Int] {
        let s = p.scale, box = product.productBox
        return [p.offsetX + Int((Double(box[0]) * s).rounded()), p.offsetY + Int((Double(box[1]) * s).rounded()),
                Int((Double(box[2]) * s).rounded()), Int((Double(box[3]) * s).rounded())]
    }
}
