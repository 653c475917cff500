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
    /// No reliable backdrop: nothing was corrected.
    var uncorrected = false
    /// The gains wanted more than `retouch.max_exposure_ev` or `retouch.max_cast_gain` and were held to them.
    var capped = false

    /// A sweep more saturated than this (CIELAB chroma) is a coloured backdrop, not a cast:
    /// ±1000 K on a grey sweep stays under 20.
    static let colouredChroma = 25.0

    /// The gains of a capped correction were lowered further so the product's highlights stay below white.
    var highlightsHeld = false
    /// Share of the product's (unclipped) pixels allowed to reach white before the gains are lowered.
    static let highlightShare: Float = 0.02

    /// `product`: the product's linear colours (coarse), for the highlight guard.
    init(reference m: SIMD3<Float>, settings: RetouchSettings, reliable: Bool = true, product: [SIMD3<Float>] = []) {
        let target = SIMD3<Float>(settings.targetWhite.map { Float(Colour.decode($0 / 255)) })
        reference = m
        clipped = m.max() >= Float(Colour.decode(252.0 / 255))
        let lab = Lab.from(linear: m)
        coloured = (lab.a * lab.a + lab.b * lab.b).squareRoot() > ColourCorrection.colouredChroma
        unreferenced = false
        if let ref = settings.backdropReference {
            gains = SIMD3<Float>(ref.map { Float(Colour.decode($0 / 255)) }) / m
        } else if coloured {
            // Nothing says what this sweep should look like: taking its luminance to the target
            // white blew a blue carpet's duck out by +2.4 EV. It is left as shot, and flagged.
            gains = SIMD3(repeating: 1)
            unreferenced = true
            uncorrected = true
        } else {
            gains = target / m
        }
        if !reliable {
            gains = SIMD3(repeating: 1)
            uncorrected = true
        }
        // The cast: each channel's gain against the gains' own luminance, held within the cap.
        let level = luminance(gains)
        let cast = gains / level
        let cap = Float(max(settings.maxCastGain, 1))
        let heldCast = pointwiseMin(pointwiseMax(cast, SIMD3(repeating: 1 / cap)), SIMD3(repeating: cap))
        if heldCast != cast { capped = true }
        gains = heldCast / luminance(heldCast) * level
        // The exposure: the gains' effect on the backdrop's luminance, held within ±max EV.
        var ev = log2(Double(luminance(m * gains) / luminance(m)))
        let maxEV = settings.maxExposureEV
        if abs(ev) > maxEV {
            let held = ev < 0 ? -maxEV : maxEV
            gains *= Float(pow(2, held - ev))
            ev = held
            capped = true
        }
        // A frame whose correction hit its bounds goes to a person, who must see the product: a
        // brightening that would push more than a sliver of it (pixels the shot had not already
        // clipped) past white is lowered until it does not, never below the shot's own exposure.
        // Frames within bounds keep the catalogue's rule, clipping and all: the same product under
        // drifting light must come out the same.
        let level2 = luminance(gains)
        let g = gains
        let peaks = capped ? product.filter { $0.max() < 0.98 }.map { ($0 * g).max() }.sorted() : []
        if level2 > 1, !peaks.isEmpty {
            let brightest = peaks[min(peaks.count - 1, Int(Float(peaks.count) * (1 - ColourCorrection.highlightShare)))]
            if brightest > 1 {
                let s = max(1 / brightest, 1 / level2)
                gains *= s
                ev = log2(Double(luminance(m * gains) / luminance(m)))
                highlightsHeld = true
            }
        }
        exposureEV = ev
    }

    /// CIEDE2000 between the product's mean colour before and after the gains.
    static func productChange(_ product: [SIMD3<Float>], gains: SIMD3<Float>) -> Double {
        guard !product.isEmpty else { return 0 }
        let before = product.reduce(SIMD3<Float>.zero) { $0 + pointwiseMin($1, SIMD3(repeating: 1)) } / Float(product.count)
        let after = pointwiseMin(before * gains, SIMD3(repeating: 1))
        return Colour.deltaE2000(Lab.from(linear: before), Lab.from(linear: after))
    }
}
