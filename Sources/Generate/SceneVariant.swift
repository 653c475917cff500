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
        try Image(result.pixels).saveJPEG(tmp, quality: quality, chromaSubsampling: false)
        guard rename(tmp, path) == 0 else {
            throw GenerateError("write_failed", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        lap("encode")
        let written = try Image.open(path).pixels()
        let fidelity = ProductFidelity.measure(output: written, product: result.product, adjustment: result.adjustment)
        lap("fidelity")
        timings["total"] = (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e5).rounded() / 10
        return GeneratedRecord(generator: "scene", scene: plate.name, prompt: nil, seed: options.seed, placement: result.placement,
                               adjustment: result.adjustment, fidelity: fidelity, timings: timings,
                               file: (path as NSString).lastPathComponent)
    }
}
