import Foundation
import Imaging
import PipelineCore

/// Sits the product in the plate's light: white balance, exposure and contrast measured on the plate
/// around where the product stands, moved part of the way (`strength`) and never past the bounds, so a
/// red tabletop cannot turn a white product pink. The result is recorded; fidelity is measured against
/// the master after this same adjustment, so it is the only change to the product's pixels.
public enum ProductMatch {
    public struct Bounds: Sendable {
        /// Largest change of any channel's gain, relative (0.05 = ±5%).
        public var whiteBalance = 0.04
        public var exposureEV: ClosedRange<Double> = -0.25...0.1
        public var contrast: ClosedRange<Double> = 0.95...1.05
        public init() {}
    }

    /// The studio master's backdrop is exposed to white; the plate's bright surfaces near the product
    /// play that part. Where the plate's 90th percentile is this level, the exposure stays as shot.
    static let plateWhite: Float = 0.75

    static func measure(plate: PixelBuffer, product: PlacedProduct, baseY: Double, height: Double,
                        strength: Double, bounds: Bounds) -> ProductAdjustment {
        guard strength > 0, let box = product.opaqueBounds() else { return .identity }
        let toLinear = LinearLight.toLinear
        // The plate around the product: a box half the product's size again on each side.
        let bw = box.x1 - box.x0, bh = Int(height)
        let x0 = max(0, box.x0 - bw / 2), x1 = min(plate.width, box.x1 + bw / 2)
        let y0 = max(0, box.y0 - bh / 4), y1 = min(plate.height, Int(baseY) + bh / 4)
        var sum = SIMD3<Double>.zero, lums: [Float] = [], codedSum = 0.0, codedSq = 0.0
        for y in stride(from: y0, to: y1, by: 3) { for x in stride(from: x0, to: x1, by: 3) {
            let i = (y * plate.width + x) * plate.bands
            let r = toLinear[Int(plate.data[i])], g = toLinear[Int(plate.data[i + 1])], b = toLinear[Int(plate.data[i + 2])]
            sum += SIMD3(Double(r), Double(g), Double(b))
            let l = LinearLight.luminance(r, g, b)
            lums.append(l)
            let coded = Double(LinearLight.byte(l)) / 255; codedSum += coded; codedSq += coded * coded
        } }
        guard !lums.isEmpty else { return .identity }
        let n = Double(lums.count)
        var capped: [String] = []

        // White balance: grey world of the plate's neighbourhood, the product's luminance kept.
        let mean = sum / n
        let lum = 0.2126 * mean.x + 0.7152 * mean.y + 0.0722 * mean.z
        var wb = [mean.x, mean.y, mean.z].map { pow(max($0, 1e-4) / max(lum, 1e-4), strength) }
        let wbLum = 0.2126 * wb[0] + 0.7152 * wb[1] + 0.0722 * wb[2]
        wb = wb.map { $0 / wbLum }
        if wb.contains(where: { abs($0 - 1) > bounds.whiteBalance }) { capped.append("white_balance") }
        wb = wb.map { min(max($0, 1 - bounds.whiteBalance), 1 + bounds.whiteBalance) }

        // Exposure: the plate's bright surfaces against the studio's white.
        let p90 = Double(Select.kth(&lums, min(lums.count - 1, lums.count * 9 / 10)))
        var ev = strength * log2(max(p90, 1e-3) / Double(plateWhite))
        if !bounds.exposureEV.contains(ev) { capped.append("exposure") }
        ev = min(max(ev, bounds.exposureEV.lowerBound), bounds.exposureEV.upperBound)

        // Contrast: spread of the coded luminance, plate's neighbourhood against the product's.
        let plateSpread = (codedSq / n - (codedSum / n) * (codedSum / n)).squareRoot()
        let (productSpread, pivot) = codedSpread(product)
        var contrast = productSpread > 0.01 ? pow(plateSpread / productSpread, strength * 0.5) : 1
        if !bounds.contrast.contains(contrast) { capped.append("contrast") }
        contrast = min(max(contrast, bounds.contrast.lowerBound), bounds.contrast.upperBound)

        let gains = wb.map { $0 * pow(2, ev) }
        var adjustment = ProductAdjustment(gains: gains.map { round4($0) }, exposureEV: round4(ev), contrast: round4(contrast),
                                           pivot: round4(pivot), capped: capped, productDeltaE: 0)
        adjustment.productDeltaE = (meanShift(product, adjustment) * 100).rounded() / 100
        return adjustment
    }

    static func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

    /// Standard deviation and mean of the coded luminance over the product's solid pixels.
    static func codedSpread(_ p: PlacedProduct) -> (Double, Double) {
        var s = 0.0, sq = 0.0, n = 0.0
        let toLinear = LinearLight.toLinear
        let px = p.pixels
        for i in stride(from: 0, to: px.width * px.height, by: 3) where px.data[i * 4 + 3] == 255 {
            let l = LinearLight.luminance(toLinear[Int(px.data[i * 4])], toLinear[Int(px.data[i * 4 + 1])], toLinear[Int(px.data[i * 4 + 2])])
            let c = Double(LinearLight.byte(l)) / 255; s += c; sq += c * c; n += 1
        }
        guard n > 0 else { return (0, 0.5) }
        return ((sq / n - (s / n) * (s / n)).squareRoot(), s / n)
    }

    /// One table per channel, byte to byte: what the adjustment does to a product pixel.
    public static func tables(_ a: ProductAdjustment) -> [[UInt8]] {
        guard !a.isIdentity else { return Array(repeating: (0...255).map { UInt8($0) }, count: 3) }
        return (0..<3).map { c in
            (0..<256).map { v in
                let coded = Colour.encode(Double(LinearLight.toLinear[v]) * a.gains[c])
                let stretched = a.pivot + (coded - a.pivot) * a.contrast
                return UInt8((min(max(stretched, 0), 1) * 255).rounded())
            }
        }
    }

    /// CIEDE2000 between the product's mean colour before and after the adjustment.
    static func meanShift(_ p: PlacedProduct, _ a: ProductAdjustment) -> Double {
        let t = tables(a)
        var before = [0.0, 0.0, 0.0], after = [0.0, 0.0, 0.0], n = 0.0
        let px = p.pixels
        for i in stride(from: 0, to: px.width * px.height, by: 3) where px.data[i * 4 + 3] == 255 {
            for c in 0..<3 {
                let v = Int(px.data[i * 4 + c])
                before[c] += Double(LinearLight.toLinear[v]); after[c] += Double(LinearLight.toLinear[Int(t[c][v])])
            }
            n += 1
        }
        guard n > 0 else { return 0 }
        return Colour.deltaE2000(Colour.lab(linear: before.map { $0 / n }), Colour.lab(linear: after.map { $0 / n }))
    }
}
