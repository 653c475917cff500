import Foundation
import Imaging
import PipelineCore

/// One variant from an external generator, start to finish: the canvas and mask written, attempts
/// with backoff until one returns a usable image, then the product made true again or measured.
///
/// `keep_product = true`: the master's product pixels are pasted over the returned image at the
/// recorded placement (whatever the generator did to the label is gone) and the result is measured
/// like a compositor's. `false` (on-model): the image is kept as returned and the redrawn product is
/// measured (`RedrawnFidelity`); review holds it when it strays.
public enum ExternalVariant {
    /// Every attempt failed, or the first failure was not worth repeating.
    public struct GaveUp: Error, CustomStringConvertible, Sendable, Equatable {
        public var code: String
        public var message: String
        public var attempts: Int
        public var description: String { message }
    }

    public static func make(_ product: MasterProduct, rule: GenerateSettings.Rule, request: ExternalRequest, in dir: String,
                            sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) throws -> GeneratedRecord {
        let started = Date()
        let generator: any ExternalGenerator
        do { generator = try Self.generator(for: rule) } catch let f as GeneratorFailure {
            throw GaveUp(code: f.code, message: "\(rule.generator.rawValue) generator: \(f.message)", attempts: 0)
        }
        let placed = try PlacedProduct.make(product, placement: request.placement)
        var last = GeneratorFailure("not_tried", "no attempt was made", retry: false)
        var tried = 0
        for attempt in 1...max(1, rule.attempts) {
            tried = attempt
            let folder = "\(dir)/.attempt-\(attempt)"
            var r = request
            r.seed = request.seed &+ UInt64(attempt - 1)   // a retry of a garbled image should not ask for the same one
            do {
                try? FileManager.default.removeItem(atPath: folder)
                try FileOps.makeDirectory(folder)
                try ExternalCanvas.write(placed, placement: r.placement, input: "\(folder)/\(r.input)", mask: "\(folder)/\(r.mask)")
                let asked = Date()
                let returned = try generator.attempt(r, folder: folder, deadline: asked.addingTimeInterval(rule.timeoutSeconds))
                let generated = Date().timeIntervalSince(asked)
                var record = try finish(returned, placed: placed, request: r, rule: rule, to: "\(dir)/\(VariantOutput.sceneFile)")
                record.attempts = attempt
                record.timings["generate"] = (generated * 10_000).rounded() / 10
                record.timings["total"] = (Date().timeIntervalSince(started) * 10_000).rounded() / 10
                removeAttempts(dir)
                return record
            } catch let f as GeneratorFailure {
                last = f
            } catch {
                last = GeneratorFailure("io_error", "\(error)", retry: false)
            }
            guard last.retry, attempt < rule.attempts else { break }
            sleep(rule.backoffSeconds * pow(2, Double(attempt - 1)))
        }
        removeAttempts(dir)
        let times = tried == 1 ? "1 attempt" : "\(tried) attempts"
        throw GaveUp(code: last.code, message: "\(generator.label) gave no usable image after \(times): \(last.message)", attempts: tried)
    }

    static func generator(for rule: GenerateSettings.Rule) throws -> any ExternalGenerator {
        switch rule.generator {
        case .comfyui:
            guard let url = rule.url, let path = rule.workflow else {
                throw GeneratorFailure("bad_rule", "rule \(rule.name) needs url and workflow", retry: false)
            }
            do { return ComfyUIGenerator(url: url, workflow: try WorkflowTemplate.load(path: path)) }
            catch { throw GeneratorFailure("bad_workflow", "\(error)", retry: false) }
        case .command:
            guard let c = rule.command else { throw GeneratorFailure("bad_rule", "rule \(rule.name) needs command", retry: false) }
            return CommandGenerator(command: c)
        case .scene:
            throw GeneratorFailure("bad_rule", "rule \(rule.name) uses the built-in scene compositor, not an external generator", retry: false)
        }
    }

    /// The returned image made into the variant's scene.jpg and measured.
    static func finish(_ path: String, placed: PlacedProduct, request r: ExternalRequest, rule: GenerateSettings.Rule, to scene: String) throws -> GeneratedRecord {
        let p = r.placement
        let image: Image
        do { image = try Image.open(path).inMemory() } catch {
            throw GeneratorFailure("bad_image", "the generator's \((path as NSString).lastPathComponent) is not an image: \(error)", retry: true)
        }
        let pixels: PixelBuffer
        if rule.keepProduct {
            pixels = try ProductFidelity.compositeTrueProduct(over: image, product: placed, placement: p)
        } else {
            var rgb = try image.toSRGB8()
            if rgb.hasAlpha { rgb = try rgb.flattened(on: .white) }
            if rgb.width != p.outputWidth || rgb.height != p.outputHeight {
                rgb = try SceneCompositor.exactSize(rgb.resized(by: Double(p.outputWidth) / Double(rgb.width)), p)
            }
            pixels = try rgb.pixels()
        }
        let tmp = "\((scene as NSString).deletingLastPathComponent)/.\((scene as NSString).lastPathComponent).\(getpid()).tmp.jpg"
        // Without chroma subsampling, as the compositor writes: it would blur a label's colour edges.
        try Image(pixels).saveJPEG(tmp, quality: 95, chromaSubsampling: false, optimizeCoding: false)
        guard rename(tmp, scene) == 0 else { throw GenerateError("write_failed", "cannot write \(scene): \(String(cString: strerror(errno)))") }
        let measuring = Date()
        let written = try Image.open(scene).pixels()
        var record = GeneratedRecord(generator: rule.generator.rawValue, scene: r.scene, prompt: r.prompt, seed: r.seed, placement: p,
                                     adjustment: .identity, fidelity: ProductFidelity.measure(output: written, product: placed),
                                     timings: [:], file: VariantOutput.sceneFile)
        record.keptProduct = rule.keepProduct
        if !rule.keepProduct { record.redrawn = RedrawnFidelity.measure(output: written, product: placed) }
        record.timings["fidelity"] = (Date().timeIntervalSince(measuring) * 10_000).rounded() / 10
        return record
    }

    static func removeAttempts(_ dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(".attempt-") {
            try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
        }
    }
}
