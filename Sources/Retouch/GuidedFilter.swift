import Foundation

/// Edge-preserving smoothing of a map by an image (He, Sun & Tang's guided filter): the
/// network's low-resolution opinion, upsampled, takes its edges from the frame's own pixels.
enum GuidedFilter {
    static func apply(_ p: [Float], guide: [Float], width w: Int, height h: Int, radius r: Int, epsilon: Float) -> [Float] {
        let meanI = boxMean(guide, w, h, r), meanP = boxMean(p, w, h, r)
        let corrI = boxMean(zip(guide, guide).map { $0 * $1 }, w, h, r)
        let corrIP = boxMean(zip(guide, p).map { $0 * $1 }, w, h, r)
        var a = [Float](repeating: 0, count: w * h), b = a
        for i in 0..<(w * h) {
            let variance = corrI[i] - meanI[i] * meanI[i]
            let covariance = corrIP[i] - meanI[i] * meanP[i]
            a[i] = covariance / (variance + epsilon)
            b[i] = meanP[i] - a[i] * meanI[i]
        }
        let meanA = boxMean(a, w, h, r), meanB = boxMean(b, w, h, r)
        return (0..<(w * h)).map { min(max(meanA[$0] * guide[$0] + meanB[$0], 0), 1) }
    }

    /// Mean over the (2r+1)² box around each pixel, clipped at the borders, from an integral image.
    static func boxMean(_ v: [Float], _ w: Int, _ h: Int, _ r: Int) -> [Float] {
        var integral = [Double](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var row: Double = 0
            for x in 0..<w {
                row += Double(v[y * w + x])
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row
            }
        }
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let y0 = max(0, y - r), y1 = min(h, y + r + 1)
            for x in 0..<w {
                let x0 = max(0, x - r), x1 = min(w, x + r + 1)
                let sum = integral[y1 * (w + 1) + x1] - integral[y0 * (w + 1) + x1] - integral[y1 * (w + 1) + x0] + integral[y0 * (w + 1) + x0]
                out[y * w + x] = Float(sum / Double((x1 - x0) * (y1 - y0)))
            }
        }
        return out
    }
}
