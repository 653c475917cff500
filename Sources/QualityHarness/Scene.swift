import Foundation

/// One synthetic studio frame, described well enough to render it and to know the truth about it.
public struct Scene: Codable, Sendable {
    public enum Shape: String, Codable, Sendable, CaseIterable { case bottle, box, mug, chair, bag, ring }
    public enum Kind: String, Codable, Sendable { case opaque, whiteOnWhite = "white-on-white", transparent, reflective }

    public var name: String
    public var set: String
    public var width = 1500
    public var height = 1000
    public var seed: UInt64
    /// The sweep's colour under the nominal light (sRGB).
    public var backdrop: [Double]
    /// The product's colour as it should come out once the backdrop is mapped to white (sRGB).
    public var product: [Double]
    public var shape: Shape
    public var kind = Kind.opaque
    /// Exposure drift in stops and the light's colour temperature (the camera is set for 5500 K).
    public var ev = 0.0
    public var kelvin = 5500.0
    /// Light fall-off towards the corners and a top-to-bottom gradient (shares of the light).
    public var falloff = 0.25
    public var gradient = 0.08
    public var shadowDepth = 0.45
    public var noise = 2.0
    public var jpegQuality = 90
    public var dust = 6
    /// Product height as a share of the frame height, and its horizontal centre (0–1).
    public var scale = 0.6
    public var centreX = 0.5

    public init(name: String, set: String, seed: UInt64, backdrop: [Double], product: [Double], shape: Shape) {
        self.name = name; self.set = set; self.seed = seed; self.backdrop = backdrop; self.product = product; self.shape = shape
    }

    /// True when the frame's pixels are expected to be matted to the strict targets.
    public var isPlainOpaque: Bool { kind == .opaque }
}

/// The colour of a light at a temperature relative to a 5500 K camera white balance, as
/// linear sRGB gains with green at 1: Planckian locus (Kim et al. 2002) → XYZ → linear sRGB.
public enum Illuminant {
    public static func gains(kelvin t: Double) -> [Double] {
        let a = rgb(t), b = rgb(5500)
        let r = [a[0] / b[0], a[1] / b[1], a[2] / b[2]]
        return r.map { $0 / r[1] }
    }

    static func rgb(_ t: Double) -> [Double] {
        let t2 = t * t, t3 = t2 * t
        let x = t <= 4000
            ? -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
            : -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390
        let y = t <= 4000
            ? -1.1063814 * x * x * x - 1.34811020 * x * x + 2.18555832 * x - 0.20219683
            : 3.0817580 * x * x * x - 5.87338670 * x * x + 3.75112997 * x - 0.37001483
        let X = x / y, Y = 1.0, Z = (1 - x - y) / y
        return [3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z,
                -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z,
                0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z]
    }
}

/// SplitMix64: small, fast and the same on every machine.
public struct SeededRandom {
    var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }
    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
