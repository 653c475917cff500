import Foundation

/// Colour arithmetic for measuring, not for processing: sRGB (0–255) to CIELAB (D65) and ΔE.
public enum Colour {
    public struct Lab: Equatable, Sendable { public var l: Double, a: Double, b: Double }

    public static func lab(srgb c: [Double]) -> Lab {
        func linear(_ v: Double) -> Double {
            let s = v / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        let (r, g, b) = (linear(c[0]), linear(c[1]), linear(c[2]))
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389.0 ? cbrt(t) : (24389.0 / 27.0 * t + 16) / 116 }
        return Lab(l: 116 * f(y) - 16, a: 500 * (f(x) - f(y)), b: 200 * (f(y) - f(z)))
    }

    /// CIE76 ΔE between two sRGB colours.
    public static func deltaE76(_ p: [Double], _ q: [Double]) -> Double {
        let a = lab(srgb: p), b = lab(srgb: q)
        return ((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) + (a.b - b.b) * (a.b - b.b)).squareRoot()
    }
}
