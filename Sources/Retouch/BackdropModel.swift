import Foundation

/// The studio sweep as a smooth surface: per channel, a quadratic in the frame's normalised
/// coordinates, in linear light. Fall-off, vignetting and top-to-bottom gradients are part of
/// the model, so they are never mistaken for the product. Resolution-independent: (u, v) run
/// over 0…1 whatever the image size.
public struct BackdropModel: Sendable, Equatable {
    /// Coefficients per channel for the terms of `basis`.
    var coefficients: [SIMD3<Float>]

    /// Full cubic in (u, v) centred on 0.5, plus r⁴: lens fall-off in linear light is steeper
    /// towards the corners than a quadratic.
    static let terms = 11

    @inline(__always) static func basis(_ u: Float, _ v: Float) -> [Float] {
        let a = u - 0.5, b = v - 0.5, r2 = a * a + b * b
        return [1, a, b, a * a, a * b, b * b, a * a * a, a * a * b, a * b * b, b * b * b, r2 * r2]
    }

    @inline(__always) func colour(u: Float, v: Float) -> SIMD3<Float> {
        let t = BackdropModel.basis(u, v)
        var sum = SIMD3<Float>.zero
        for k in 0..<BackdropModel.terms { sum += coefficients[k] * t[k] }
        return sum
    }

    /// Least-squares fit to samples (u, v, colour); nil when the samples cannot pin it down.
    static func fit(_ samples: [(u: Float, v: Float, c: SIMD3<Float>)]) -> BackdropModel? {
        guard samples.count >= 12 else { return nil }
        var ata = [Double](repeating: 0, count: terms * terms)
        var atb = [[Double]](repeating: [Double](repeating: 0, count: terms), count: 3)
        for s in samples {
            let row = basis(s.u, s.v).map(Double.init)
            for i in 0..<terms {
                for j in i..<terms { ata[i * terms + j] += row[i] * row[j] }
                atb[0][i] += row[i] * Double(s.c.x); atb[1][i] += row[i] * Double(s.c.y); atb[2][i] += row[i] * Double(s.c.z)
            }
        }
        for i in 0..<terms { for j in 0..<i { ata[i * terms + j] = ata[j * terms + i] } }
        var solved: [[Double]] = []
        for ch in 0..<3 {
            guard let x = solve(ata, atb[ch], n: terms) else { return nil }
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
