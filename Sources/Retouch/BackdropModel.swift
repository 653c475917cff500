import Foundation

/// The studio sweep as a smooth surface: per channel, a quadratic in the frame's normalised
/// coordinates, in linear light. Fall-off, vignetting and top-to-bottom gradients are part of
/// the model, so they are never mistaken for the product. Resolution-independent: (u, v) run
/// over 0…1 whatever the image size.
public struct BackdropModel: Sendable, Equatable {
    /// Coefficients per channel for the terms of `basis`.
    let coefficients: [SIMD3<Float>]
    /// The same, laid out per channel like `basis`, for a dot product.
    private let red: SIMD16<Float>, green: SIMD16<Float>, blue: SIMD16<Float>

    init(coefficients: [SIMD3<Float>]) {
        self.coefficients = coefficients
        var r = SIMD16<Float>(repeating: 0), g = r, b = r
        for k in 0..<min(coefficients.count, BackdropModel.terms) {
            r[k] = coefficients[k].x; g[k] = coefficients[k].y; b[k] = coefficients[k].z
        }
        red = r; green = g; blue = b
    }

    /// Full cubic in (u, v) centred on 0.5, plus r⁴: lens fall-off in linear light is steeper
    /// towards the corners than a quadratic.
    static let terms = 11

    /// The terms at (u, v); the last lanes are unused. A fixed-size vector keeps this allocation-free.
    @inline(__always) static func basis(_ u: Float, _ v: Float) -> SIMD16<Float> {
        let a = u - 0.5, b = v - 0.5, r2 = a * a + b * b
        var t = SIMD16<Float>(repeating: 0)
        t[0] = 1; t[1] = a; t[2] = b; t[3] = a * a; t[4] = a * b; t[5] = b * b
        t[6] = a * a * a; t[7] = a * a * b; t[8] = a * b * b; t[9] = b * b * b; t[10] = r2 * r2
        return t
    }

    @inline(__always) func colour(u: Float, v: Float) -> SIMD3<Float> {
        let t = BackdropModel.basis(u, v)
        return SIMD3((t * red).sum(), (t * green).sum(), (t * blue).sum())
    }


    /// The model at every pixel centre of a width×height grid. Along a row the model is a quartic
    /// in u, so each pixel costs a Horner step per channel instead of the full basis.
    func map(width w: Int, height h: Int) -> [SIMD3<Float>] {
        var out = [SIMD3<Float>](repeating: .zero, count: w * h)
        let c = coefficients
        for y in 0..<h {
            let b = (Float(y) + 0.5) / Float(h) - 0.5, b2 = b * b
            // Collect powers of a: 1, a, a², a³, a⁴ (r⁴ = a⁴ + 2a²b² + b⁴).
            let p0 = c[0] + c[2] * b + c[5] * b2 + c[9] * (b2 * b) + c[10] * (b2 * b2)
            let p1 = c[1] + c[4] * b + c[8] * b2
            let p2 = c[3] + c[7] * b + c[10] * (2 * b2)
            let p3 = c[6]
            let p4 = c[10]
            out.withUnsafeMutableBufferPointer { o in
                for x in 0..<w {
                    let a = (Float(x) + 0.5) / Float(w) - 0.5
                    o[y * w + x] = (((p4 * a + p3) * a + p2) * a + p1) * a + p0
                }
            }
        }
        return out
    }

    /// Least-squares fit to samples (u, v, colour); nil when the samples cannot pin it down.
    /// At most `maxSamples` are used, evenly spaced: the surface is smooth, more adds nothing.
    static func fit(_ samples: [(u: Float, v: Float, c: SIMD3<Float>)], maxSamples: Int = 20_000) -> BackdropModel? {
        guard samples.count >= 12 else { return nil }
        let step = max(1, samples.count / maxSamples)
        var ata = [Double](repeating: 0, count: terms * terms)
        var atb = [SIMD3<Double>](repeating: .zero, count: terms)
        ata.withUnsafeMutableBufferPointer { a in
            atb.withUnsafeMutableBufferPointer { b in
                var i = 0
                while i < samples.count {
                    let s = samples[i]
                    let t = basis(s.u, s.v)
                    let c = SIMD3<Double>(Double(s.c.x), Double(s.c.y), Double(s.c.z))
                    for r in 0..<terms {
                        let tr = Double(t[r])
                        for q in r..<terms { a[r * terms + q] += tr * Double(t[q]) }
                        b[r] += c * tr
                    }
                    i += step
                }
            }
        }
        for r in 0..<terms { for q in 0..<r { ata[r * terms + q] = ata[q * terms + r] } }
        var solved: [[Double]] = []
        for ch in 0..<3 {
            guard let x = solve(ata, atb.map { $0[ch] }, n: terms) else { return nil }
            solved.append(x)
        }
        return BackdropModel(coefficients: (0..<terms).map { SIMD3(Float(solved[0][$0]), Float(solved[1][$0]), Float(solved[2][$0])) })
    }

    /// Gaussian elimination with partial pivoting; nil for a singular system.
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var m = a, r = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            guard abs(m[pivot * n + col]) > 1e-12 else { return nil }
            if pivot != col {
                for k in 0..<n { m.swapAt(col * n + k, pivot * n + k) }
                r.swapAt(col, pivot)
            }
            for row in (col + 1)..<n {
                let f = m[row * n + col] / m[col * n + col]
                if f == 0 { continue }
                for k in col..<n { m[row * n + k] -= f * m[col * n + k] }
                r[row] -= f * r[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = r[row]
            for k in (row + 1)..<n { s -= m[row * n + k] * x[k] }
            x[row] = s / m[row * n + row]
        }
        return x
    }
}
