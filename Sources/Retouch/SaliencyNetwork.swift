import CMatte
import Foundation
import Imaging

/// The learned second opinion: a salient-object network (U²-Netp) run through ONNX Runtime,
/// loaded once per worker process from the paths in the config and kept for its life.
final class SaliencyNetwork: @unchecked Sendable {
    let side: Int
    private let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
        let s = Int(pp_matte_side(handle))
        side = s > 0 ? s : 320
    }
    deinit { pp_matte_close(handle) }

    /// ImageNet statistics the network was trained with (RGB scaled to 0–1).
    static let mean: [Float] = [0.485, 0.456, 0.406]
    static let std: [Float] = [0.229, 0.224, 0.225]

    /// The network's opinion of every pixel of `pixels` (sRGB bytes): 0 backdrop … 1 product,
    /// at the size of `pixels`, stretched to 0–1 by its own range as the network's authors do.
    func probability(_ pixels: PixelBuffer) throws -> [Float] {
        let s = side
        var input = [Float](repeating: 0, count: 3 * s * s)
        let w = pixels.width, h = pixels.height, bands = pixels.bands
        pixels.data.withUnsafeBufferPointer { px in
            for c in 0..<3 {
                let band = min(c, bands - 1)
                let plane = Self.bilinear(from: w, h, to: s, s) { Float(px[$0 * bands + band]) / 255 }
                for i in 0..<(s * s) { input[c * s * s + i] = (plane[i] - Self.mean[c]) / Self.std[c] }
            }
        }
        var output = [Float](repeating: 0, count: s * s)
        var err = [CChar](repeating: 0, count: 512)
        let status = input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in pp_matte_run(handle, i.baseAddress, Int32(s), o.baseAddress, &err, err.count) }
        }
        guard status == 0 else { throw MatteNetworkError( "matte network: \(String(cString: err))") }
        let lo = output.min() ?? 0, hi = output.max() ?? 1
        let range = max(hi - lo, 1e-6)
        for i in output.indices { output[i] = (output[i] - lo) / range }
        return Self.resample(output, side: s, width: w, height: h)
    }

    /// Bilinear resampling of the network's square map back to the image's own aspect.
    static func resample(_ map: [Float], side s: Int, width w: Int, height h: Int) -> [Float] {
        bilinear(from: s, s, to: w, h) { map[$0] }
    }

    /// Bilinear resampling of one plane, read through `value(index)`, from sw×sh to dw×dh (pixel centres aligned).
    static func bilinear(from sw: Int, _ sh: Int, to dw: Int, _ dh: Int, _ value: (Int) -> Float) -> [Float] {
        var out = [Float](repeating: 0, count: dw * dh)
        for y in 0..<dh {
            let fy = min(max((Float(y) + 0.5) * Float(sh) / Float(dh) - 0.5, 0), Float(sh - 1))
            let y0 = Int(fy), y1 = min(y0 + 1, sh - 1), ty = fy - Float(y0)
            for x in 0..<dw {
                let fx = min(max((Float(x) + 0.5) * Float(sw) / Float(dw) - 0.5, 0), Float(sw - 1))
                let x0 = Int(fx), x1 = min(x0 + 1, sw - 1), tx = fx - Float(x0)
                out[y * dw + x] = (value(y0 * sw + x0) * (1 - tx) + value(y0 * sw + x1) * tx) * (1 - ty)
                    + (value(y1 * sw + x0) * (1 - tx) + value(y1 * sw + x1) * tx) * ty
            }
        }
        return out
    }

    // One network per process: loading costs a few hundred milliseconds, a run a few hundred.
    private nonisolated(unsafe) static var cache: (key: String, net: SaliencyNetwork?, error: String?)?
    private static let lock = NSLock()

    /// The network for these paths, loaded on first use. Throws the reason it cannot be loaded
    /// (a missing runtime or model, a file that is not a model); the same reason again on later calls.
    static func shared(runtime: String, model: String, threads: Int) throws -> SaliencyNetwork {
        lock.lock(); defer { lock.unlock() }
        let key = "\(runtime)\u{0}\(model)\u{0}\(threads)"
        if let c = cache, c.key == key {
            if let net = c.net { return net }
            throw MatteNetworkError( c.error ?? "matte network unavailable")
        }
        var err = [CChar](repeating: 0, count: 512)
        if let h = pp_matte_open(runtime, model, Int32(max(1, threads)), &err, err.count) {
            let net = SaliencyNetwork(handle: h)
            cache = (key, net, nil)
            return net
        }
        let reason = String(cString: err)
        cache = (key, nil, reason)
        throw MatteNetworkError( reason)
    }

    /// Whether both files the network needs are in place (for `auto`).
    static func installed(runtime: String, model: String) -> Bool {
        FileManager.default.isReadableFile(atPath: runtime) && FileManager.default.isReadableFile(atPath: model)
    }
}

struct MatteNetworkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
