import Foundation
import Imaging

/// The sRGB transfer curve as tables: the compositor mixes plate, shadow and product edges in linear
/// light, where light adds up, and codes the result back once.
enum LinearLight {
    static let toLinear: [Float] = (0..<256).map { Float(Colour.decode(Double($0) / 255)) }
    private static let steps = 16_384
    private static let encodeTable: [UInt8] = (0...steps).map { UInt8((Colour.encode(Double($0) / Double(steps)) * 255).rounded()) }

    /// Linear 0…1 (clamped) to an sRGB byte.
    @inline(__always) static func byte(_ linear: Float) -> UInt8 {
        let c = linear < 0 ? 0 : (linear > 1 ? 1 : linear)
        return encodeTable[Int(c * Float(steps) + 0.5)]
    }

    @inline(__always) static func luminance(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.2126 * r + 0.7152 * g + 0.0722 * b }
}
