import Foundation

/// CIELAB (D65) from linear sRGB, for contrast and cast figures a person can read.
enum Lab {
    static func from(linear c: SIMD3<Float>) -> SIMD3<Double> {
        let r = Double(c.x), g = Double(c.y), b = Double(c.z)
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let fx = f(x), fy = f(y), fz = f(z)
        return SIMD3(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    static func deltaE76(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Double {
        let d = from(linear: a) - from(linear: b)
        return (d * d).sum().squareRoot()
    }
}
