import Foundation
import Imaging
import PipelineCore

/// Is the product in a variant still the product? CIEDE2000 between the variant and the placed master
/// (after the recorded adjustment) over the product's solid interior: the mask eroded by `erodedBy`
/// pixels (3 by default), so resampled edges and light wrap (which reaches 2.5 px) are not counted.
///
/// Mean, p95 and the share over `threshold` come from a regular sample of at most `sampleLimit`
/// interior pixels; the maximum covers every interior pixel (those whose channels all lie within a few
/// levels of the master cannot reach it and are skipped), so a thin drawn line is never sampled away.
public enum ProductFidelity {
    public struct Limits: Sendable {
        public var meanDeltaE = 1.0
        /// JPEG at quality 95 without chroma subsampling leaves a p95 of about 1 on a textured product.
        public var p95DeltaE = 2.0
        /// Any interior pixel this far off is a change to the product.
        public var maxDeltaE = 10.0
        public var maxShareOver = 0.01
        public init() {}
    }

    public static let defaultThreshold = 3.0
    /// More than light wrap's reach (`SceneCompositor.Options.lightWrapWidth`, 2.5 px).
    public static let defaultErosion = 3
    static let sampleLimit = 60_000
    /// A pixel whose channels all lie within this many levels of the master is below any useful maximum.
    static let screenLevels = 6

    public static func measure(output: PixelBuffer, product: PlacedProduct, adjustment: ProductAdjustment = .identity,
                               erodedBy: Int = defaultErosion, threshold: Double = defaultThreshold) -> FidelityFigures {
        measure(output: output, product: product, distance: EdgeDistance.map(product), adjustment: adjustment, erodedBy: erodedBy, threshold: threshold)
    }

    /// The same, with the product's `EdgeDistance` map already made.
    static func measure(output: PixelBuffer, product: PlacedProduct, distance: [Float], adjustment: ProductAdjustment = .identity,
                        erodedBy: Int = defaultErosion, threshold: Double = defaultThreshold) -> FidelityFigures {
        let t = ProductMatch.tables(adjustment)
        let pw = product.pixels.width, ph = product.pixels.height
        var interior: [Int] = []   // indexes into the product buffer that lie in the output
        for py in 0..<ph { for px in 0..<pw {
            let i = py * pw + px
            guard product.pixels.data[i * 4 + 3] == 255, distance[i] > Float(erodedBy) else { continue }
            let ox = product.x + px, oy = product.y + py
            if ox >= 0, oy >= 0, ox < output.width, oy < output.height { interior.append(i) }
        } }
        guard !interior.isEmpty else {
            return FidelityFigures(meanDeltaE: 0, p95DeltaE: 0, maxDeltaE: 0, shareOver: 0, threshold: threshold, pixels: 0, erodedBy: erodedBy)
        }
        var labs: [Int32: Colour.Lab] = [:]
        func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Colour.Lab {
            let key = Int32(r) << 16 | Int32(g) << 8 | Int32(b)
            if let l = labs[key] { return l }
            let l = Colour.lab(srgb: [Double(r), Double(g), Double(b)])
            labs[key] = l
            return l
        }
        func deltaE(_ i: Int) -> (Double, Int) {
            let px = i % pw, py = i / pw
            let o = ((product.y + py) * output.width + product.x + px) * output.bands
            let m = (t[0][Int(product.pixels.data[i * 4])], t[1][Int(product.pixels.data[i * 4 + 1])], t[2][Int(product.pixels.data[i * 4 + 2])])
            let v = (output.data[o], output.data[o + 1], output.data[o + 2])
            let levels = max(abs(Int(m.0) - Int(v.0)), abs(Int(m.1) - Int(v.1)), abs(Int(m.2) - Int(v.2)))
            if levels == 0 { return (0, 0) }
            return (Colour.deltaE2000(lab(m.0, m.1, m.2), lab(v.0, v.1, v.2)), levels)
        }
        let stride = max(1, interior.count / sampleLimit)
        var sample: [Double] = []
        sample.reserveCapacity(interior.count / stride + 1)
        var worst = 0.0
        for (k, i) in interior.enumerated() {
            if k % stride == 0 {
                let (e, _) = deltaE(i); sample.append(e); worst = max(worst, e)
            } else {
                let px = i % pw, py = i / pw
                let o = ((product.y + py) * output.width + product.x + px) * output.bands
                let far = (0..<3).contains { abs(Int(t[$0][Int(product.pixels.data[i * 4 + $0])]) - Int(output.data[o + $0])) >= screenLevels }
                if far { worst = max(worst, deltaE(i).0) }
            }
        }
        sample.sort()
        let mean = sample.reduce(0, +) / Double(sample.count)
        let p95 = sample[min(sample.count - 1, Int(Double(sample.count) * 0.95))]
        let over = Double(sample.filter { $0 > threshold }.count) / Double(sample.count)
        func r(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        return FidelityFigures(meanDeltaE: r(mean), p95DeltaE: r(p95), maxDeltaE: r(worst), shareOver: (over * 1e5).rounded() / 1e5,
                               threshold: threshold, pixels: sample.count, erodedBy: erodedBy)
    }

    /// Whether the figures are within the limits, and if not, which are not.
    public static func failures(_ f: FidelityFigures, limits: Limits = Limits()) -> [String] {
        var out: [String] = []
        if f.meanDeltaE > limits.meanDeltaE { out.append("mean") }
        if f.p95DeltaE > limits.p95DeltaE { out.append("p95") }
        if f.maxDeltaE > limits.maxDeltaE { out.append("max") }
        if f.shareOver > limits.maxShareOver { out.append("share_over") }
        return out
    }

    /// The master's true product pixels laid over whatever a generator returned, by the placement: a
    /// generator that redrew the label or the logo cannot keep its version. A returned image of another
    /// size is first resampled to the placement's output size.
    public static func compositeTrueProduct(over generated: Image, product: PlacedProduct, placement: VariantPlacement) throws -> PixelBuffer {
        var image = try generated.toSRGB8()
        if image.hasAlpha { image = try image.flattened(on: .white) }
        if image.width != placement.outputWidth || image.height != placement.outputHeight {
            image = try SceneCompositor.exactSize(image.resized(by: Double(placement.outputWidth) / Double(image.width)), placement)
        }
        var out = try image.pixels()
        let toLinear = LinearLight.toLinear
        let pw = product.pixels.width
        for py in 0..<product.pixels.height {
            let oy = product.y + py
            guard oy >= 0, oy < out.height else { continue }
            for px in 0..<pw {
                let ox = product.x + px
                guard ox >= 0, ox < out.width else { continue }
                let q = (py * pw + px) * 4, o = (oy * out.width + ox) * out.bands
                let a = product.pixels.data[q + 3]
                if a == 255 { for c in 0..<3 { out.data[o + c] = product.pixels.data[q + c] }; continue }
                guard a > 0 else { continue }
                let k = Float(a) / 255
                for c in 0..<3 {
                    let mixed = toLinear[Int(out.data[o + c])] * (1 - k) + toLinear[Int(product.pixels.data[q + c])] * k
                    out.data[o + c] = LinearLight.byte(mixed)
                }
            }
        }
        return out
    }
}
