import Foundation
import Imaging

/// The sRGB transfer curve (`Colour` in Imaging) as lookup tables. Mixing at edges and shading by light happen in
/// linear light, so the matte and the colour transform work there.
enum SRGB {
    static let toLinear: [Float] = (0..<256).map { Float(Colour.decode(Double($0) / 255)) }
    private static let encodeSteps = 16_384
    private static let encodeTable: [UInt8] = (0...encodeSteps).map {
        UInt8((Colour.encode(Double($0) / Double(encodeSteps)) * 255).rounded())
    }

    /// Linear 0…1 (clamped) to an sRGB byte.
    @inline(__always) static func byte(_ linear: Float) -> UInt8 {
        let c = linear < 0 ? 0 : (linear > 1 ? 1 : linear)
        return encodeTable[Int(c * Float(encodeSteps) + 0.5)]
    }

    @inline(__always) static func linear(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> SIMD3<Float> {
        SIMD3(toLinear[Int(p[i])], toLinear[Int(p[i + 1])], toLinear[Int(p[i + 2])])
    }
}

/// Relative luminance weights of linear sRGB.
@inline(__always) func luminance(_ c: SIMD3<Float>) -> Float { 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z }

@inline(__always) func length(_ v: SIMD3<Float>) -> Float { (v * v).sum().squareRoot() }
@inline(__always) func maxAbs(_ v: SIMD3<Float>) -> Float { max(abs(v.x), abs(v.y), abs(v.z)) }
@inline(__always) func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }
