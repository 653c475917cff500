import Foundation
import Imaging
import PipelineCore

/// One colour transform per image: linear-light gains that take the backdrop, measured where
/// the product stands, to the catalogue's target white. The product gets the same gains, so a
/// product shot under drifting light comes out the same colour; nothing is levelled per image.
struct ColourCorrection {
    var gains: SIMD3<Float>
    var reference: SIMD3<Float>
    var exposureEV: Double
    var coloured: Bool
    var unreferenced: Bool
    var clipped: Bool

    /// A sweep more saturated than this (CIELAB chroma) is a coloured backdrop, not a cast:
    /// ±1000 K on a grey sweep stays under 20.
    static let colouredChroma = 25.0

    init(reference m: SIMD3<Float>, settings: RetouchSettings) {
        let target = SIMD3<Float>(settings.targetWhite.map { Float(Colour.decode($0 / 255)) })
        reference = m
        clipped = m.max() >= Float(Colour.decode(252.0 / 255))
        let lab = Lab.from(linear: m)
        coloured = (lab.a * lab.a + lab.b * lab.b).squareRoot() > ColourCorrection.colouredChroma
        unreferenced = false
        if let ref = settings.backdropReference {
            gains = SIMD3<Float>(ref.map { Float(Colour.decode($0 / 255)) }) / m
        } else if coloured {
            gains = SIMD3(repeating: luminance(target) / luminance(m))
            unreferenced = true
        } else {
            gains = target / m
        }
        exposureEV = log2(Double(luminance(m * gains) / luminance(m)))
    }
}
