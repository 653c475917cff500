import Foundation
import Imaging
import PipelineCore

/// One finished scene variant: composited, written as JPEG, read back, and measured as delivered.
public enum SceneVariant {
    /// Writes the variant to `path` (through a temporary name in the same folder) and returns its record.
    public static func render(_ product: MasterProduct, on plate: ScenePlate, options: SceneCompositor.Options,
                              to path: String, quality: Int = 95) throws -> GeneratedRecord {
        let started = DispatchTime.now().uptimeNanoseconds
        let result = try SceneCompositor.composite(product, on: plate, options: options)
        var timings = result.timings
        var mark = DispatchTime.now().uptimeNanoseconds
        func lap(_ name: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            timings[name] = (Double(now - mark) / 1e5).rounded() / 10
            mark = now
        }
        let tmp = "\((path as NSString).deletingLastPathComponent)/.\((path as NSString).lastPathComponent).\(getpid()).tmp.jpg"
        // Without chroma subsampling: it would blur a label's colour edges by a pixel, and fidelity sees that.
        // Standard Huffman tables: every channel re-encodes the scene, so a second pass for 1–2 % is not worth it.
        try Image(result.pixels).saveJPEG(tmp, quality: quality, chromaSubsampling: false, optimizeCoding: false)
        guard rename(tmp, path) == 0 else {
            throw GenerateError("write_failed", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        lap("encode")
        // Only the product's rectangle of the written file is read back and measured.
        let p = result.product, out = result.placement
        let x0 = max(0, p.x), y0 = max(0, p.y)
        let x1 = min(out.outputWidth, p.x + p.pixels.width), y1 = min(out.outputHeight, p.y + p.pixels.height)
        let written = try Image.openSequential(path).cropped(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0)).pixels()
        let fidelity = ProductFidelity.measure(output: written, product: PlacedProduct(x: p.x - x0, y: p.y - y0, pixels: p.pixels),
                                               distance: result.distance, adjustment: result.adjustment)
        lap("fidelity")
        timings["total"] = (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e5).rounded() / 10
        return GeneratedRecord(generator: "scene", scene: plate.name, prompt: nil, seed: options.seed, placement: result.placement,
                               adjustment: result.adjustment, fidelity: fidelity, timings: timings,
                               file: (path as NSString).lastPathComponent)
    }
}
