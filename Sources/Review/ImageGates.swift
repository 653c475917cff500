import Foundation
import PipelineCore

/// Gates on what the retouch stage measured: highlights clipped on the product, a correction
/// larger than stays faithful, and a product too small for an enabled channel.
extension ReviewPolicy {
    /// Share of product pixels the correction pushed past white.
    public func exposureGate(_ m: Manifest) -> GateResult {
        let clipped = m.master?.retouch?.correction.clippedShare ?? 0
        let passed = clipped <= maxClippedShare
        return GateResult(gate: "exposure", value: clipped, threshold: maxClippedShare, passed: passed,
                          reason: passed ? nil : String(format: "reshoot with less light: highlights are clipped on %.0f%% of the product (review.max_clipped_share %.0f%%)", clipped * 100, maxClippedShare * 100))
    }

    /// Exposure correction in EV and the backdrop's cast (CIELAB chroma) the stage had to undo.
    public func lightingGate(_ m: Manifest) -> GateResult {
        guard let r = m.master?.retouch, !r.backdrop.coloured else { return GateResult(gate: "lighting", value: 0, threshold: maxCorrectionEV, passed: true) }
        let ev = abs(r.correction.exposureEV)
        let cast = r.backdrop.cast.count == 2 ? (r.backdrop.cast[0] * r.backdrop.cast[0] + r.backdrop.cast[1] * r.backdrop.cast[1]).squareRoot() : 0
        var reasons: [String] = []
        if ev > maxCorrectionEV { reasons.append(String(format: "check the lighting: exposure was corrected by %+.1f EV (review.max_correction_ev %.1f); colours may be off, reshoot if they are", r.correction.exposureEV, maxCorrectionEV)) }
        if cast > maxCast { reasons.append(String(format: "check the lighting: the backdrop had a colour cast of chroma %.0f (review.max_cast %.0f), e.g. mixed light; compare the product's colour", cast, maxCast)) }
        return GateResult(gate: "lighting", value: max(ev, cast), threshold: maxCorrectionEV, passed: reasons.isEmpty,
                          reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    /// The product must reach every enabled channel's fill without upscaling.
    public func channelSizeGate(_ m: Manifest) -> GateResult {
        guard let master = m.master else { return GateResult(gate: "channel-size", value: 0, threshold: 0, passed: true) }
        let short = channels.filter { $0.takes(view: m.view) }.compactMap { p -> String? in
            do { _ = try FitPlan.make(masterWidth: master.width, masterHeight: master.height, product: master.retouch?.frame.productBox, preset: p); return nil }
            catch { return p.name }
        }
        return GateResult(gate: "channel-size", value: Double(short.count), threshold: 0, passed: short.isEmpty,
                          reason: short.isEmpty ? nil : "reshoot closer or at a higher resolution: the product is too small for \(short.joined(separator: ", ")) without upscaling (approve to export the other channels only)")
    }
}
