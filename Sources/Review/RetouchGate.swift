import Foundation
import PipelineCore

/// The retouch stage's own doubts as a gate: every flag, and a confidence below the
/// threshold, send the asset to a person with what to do about it.
extension ReviewPolicy {
    public func retouchGate(_ m: Manifest) -> GateResult {
        guard let r = m.master?.retouch else { return GateResult(gate: "retouch", value: 1, threshold: thresholds.minConfidence, passed: true) }
        // A frame edge the product touches is the framing gate's.
        var reasons = r.flags.filter { !$0.hasPrefix("touches_") }.map(RetouchAdvice.sentence)
        if reasons.isEmpty && r.confidence < thresholds.minConfidence {
            reasons.append(String(format: "check the cut-out: the retouch stage is unsure of it (confidence %.2f, below review.min_confidence %.2f)", r.confidence, thresholds.minConfidence))
        }
        return GateResult(gate: "retouch", value: r.confidence, threshold: thresholds.minConfidence, passed: reasons.isEmpty,
                          reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }
}

/// A sentence per retouch flag: what a person should do.
public enum RetouchAdvice {
    public static func sentence(_ flag: String) -> String {
        if flag.hasPrefix("touches_") { return "reshoot: the product is cut off at the \(flag.dropFirst(8)) edge of the frame" }
        switch flag {
        case "low_contrast": return "check the cut-out: the product barely differs from the backdrop (white on white); fix by hand or reshoot on a contrasting sweep"
        case "transparent": return "check the cut-out: the backdrop shows through the product (glass, clear plastic)"
        case "reflective": return "check the cut-out: highlights or reflections of the sweep on the product"
        case "sparse_outline": return "check the cut-out: only an outline or thin parts of the product were found"
        case "segmenters_disagree": return "check the cut-out: the backdrop keyer and the object network see different shapes (retouch.matte.agreement in the manifest); fix the mask by hand or reshoot on a plain sweep"
        case "correction_capped": return "check the lighting: the shot is far from the studio's exposure or white balance, and the correction was held at its limit (retouch.max_exposure_ev, retouch.max_cast_gain); reshoot, or approve if the colours look right"
        case "backdrop_clipped": return "lower the exposure: the backdrop is blown out, so colour and exposure cannot be normalised"
        case "uneven_backdrop": return "check the lighting: the backdrop is uneven beyond a smooth fall-off"
        case "coloured_backdrop_unreferenced": return "set retouch.backdrop_reference to this coloured sweep's colour, then `pipectl retry` the asset"
        case "no_product": return "check the frame: no product was found on the backdrop"
        case "backdrop_not_found": return "check the framing: too little backdrop around the product to model it"
        default: return "check the cut-out: \(flag)"
        }
    }
}
