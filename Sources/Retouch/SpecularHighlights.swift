import Foundation

/// Specular highlights: product pixels at the top of the sensor's range in every channel *and*
/// clearly brighter than the product around them. A white product, white print on a dark one or
/// a product brighter than a grey sweep is none of these; a glint on chrome or glass is.
enum SpecularHighlights {
    /// Linear level every channel must reach (sRGB ≈ 243): near clipping, colourless.
    static let level: Float = 0.9
    /// How much brighter than the mean of the product around it a highlight is.
    static let lift: Float = 1.25

    static func count(labels: [CoarseMatte.Label], linear: [SIMD3<Float>], width w: Int, height h: Int) -> Int {
        let n = w * h
        guard n > 0 else { return 0 }
        var product = [Float](repeating: 0, count: n), lum = product
        for i in 0..<n where labels[i] == .product {
            product[i] = 1
            lum[i] = luminance(linear[i])
        }
        let r = max(3, max(w, h) / 80)
        let share = GuidedFilter.boxMean(product, w, h, r)
        let meanLum = GuidedFilter.boxMean(lum, w, h, r)
        var count = 0
        for y in 1..<max(1, h - 1) {
            for x in 1..<max(1, w - 1) {
                let i = y * w + x
                guard product[i] == 1, product[i - 1] == 1, product[i + 1] == 1, product[i - w] == 1, product[i + w] == 1 else { continue }
                let c = linear[i]
                guard min(c.x, c.y, c.z) >= level else { continue }
                let around = meanLum[i] / max(share[i], 1e-6)
                if lum[i] >= lift * around { count += 1 }
            }
        }
        return count
    }
}
