import Foundation
import Imaging
import PipelineCore

/// Export of a generated variant: the scene fills each channel's canvas, cut to its shape around
/// the product (`ScenePlan`), never upscaled; named and verified like a packshot, except that a
/// scene has no white border to check.
enum SceneExport {
    static func run(assetDir: String, manifest m: Manifest, generated g: GeneratedRecord, presets: [ChannelPreset]) throws -> ExportResult {
        guard let master = m.master else { throw StepFailure("no_master", "The variant has no picture; retry its source.") }
        let scene: Image
        do { scene = try Image.open("\(assetDir)/\(master.file)").inMemory() }
        catch { throw StepFailure("master_unreadable", "The variant cannot be read (\(error)); retry its source.") }
        let b = g.productBox ?? []
        let focus = b.count == 4 ? (x: Double(b[0]) + Double(b[2]) / 2, y: Double(b[1]) + Double(b[3]) / 2)
                                 : (x: g.placement.contact[0], y: g.placement.contact[1])
        var result = ExportResult()
        for p in presets {
            do {
                let name = try ExportStage.fileName(for: m, preset: p)
                let plan = try ScenePlan.make(sceneWidth: scene.width, sceneHeight: scene.height, focus: focus, preset: p)
                let cut = try scene.cropped(x: plan.crop[0], y: plan.crop[1], width: plan.crop[2], height: plan.crop[3])
                var canvas = abs(plan.scale - 1) < 1e-9 ? cut : try cut.resizedCubic(by: plan.scale)
                if canvas.width != p.width || canvas.height != p.height {
                    // Rounding may leave a pixel over or under: cut or pad to the exact canvas.
                    canvas = try canvas.cropped(x: 0, y: 0, width: min(canvas.width, p.width), height: min(canvas.height, p.height))
                        .embedded(x: 0, y: 0, width: p.width, height: p.height, background: RGB(255, 255, 255))
                }
                var record = try ExportStage.write(canvas, preset: p, name: name, assetDir: assetDir, manifest: m, whiteBorder: false)
                record.fill = 1
                result.outputs.append(record)
            } catch let e as NamingError {
                result.issues.append(ChannelIssue(channel: p.name, code: "bad_name", message: e.reason))
            } catch let e as FitPlan.TooSmall {
                result.issues.append(ChannelIssue(channel: p.name, code: "too_small", message: e.reason))
            } catch let issue as ChannelIssue {
                result.issues.append(issue)
            }
        }
        try ExportStage.removeStale(assetDir: assetDir, keeping: result.outputs)
        return result
    }
}
