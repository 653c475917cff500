import Foundation
import PipelineCore

/// Gates on what the retouch stage measured: highlights clipped or shadows crushed on the product,
/// a correction larger than stays faithful, and a product too small for an enabled channel.
extension ReviewPolicy {
    /// Share of product pixels clipped at white, and crushed to black.
    public func exposureGate(_ m: Manifest) -> GateResult {
        let clipped = m.master?.retouch?.correction.clippedShare ?? 0
        let crushed = m.master?.retouch?.quality?.crushedShare ?? 0
        var reasons: [String] = []
        if clipped > thresholds.maxClippedShare { reasons.append(String(format: "reshoot with less light: highlights are clipped on %.0f%% of the product (review.max_clipped_share %.0f%%)", clipped * 100, thresholds.maxClippedShare * 100)) }
        if crushed > thresholds.maxCrushedShare { reasons.append(String(format: "reshoot with more light: shadows are crushed to black on %.0f%% of the product (review.max_crushed_share %.0f%%)", crushed * 100, thresholds.maxCrushedShare * 100)) }
        // Value and threshold are the clipping's, unless only the shadows fail.
        let shadowsOnly = crushed > thresholds.maxCrushedShare && clipped <= thresholds.maxClippedShare
        return GateResult(gate: "exposure", value: shadowsOnly ? crushed : clipped, threshold: shadowsOnly ? thresholds.maxCrushedShare : thresholds.maxClippedShare,
                          passed: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    /// Exposure correction in EV and the backdrop's cast (CIELAB chroma) the stage had to undo.
    public func lightingGate(_ m: Manifest) -> GateResult {
        guard let r = m.master?.retouch, !r.backdrop.coloured else { return GateResult(gate: "lighting", value: 0, threshold: thresholds.maxCorrectionEV, passed: true) }
        let ev = abs(r.correction.exposureEV)
        let cast = r.backdrop.cast.count == 2 ? (r.backdrop.cast[0] * r.backdrop.cast[0] + r.backdrop.cast[1] * r.backdrop.cast[1]).squareRoot() : 0
        var reasons: [String] = []
        if ev > thresholds.maxCorrectionEV { reasons.append(String(format: "check the lighting: exposure was corrected by %+.1f EV (review.max_correction_ev %.1f); colours may be off, reshoot if they are", r.correction.exposureEV, thresholds.maxCorrectionEV)) }
        if cast > thresholds.maxCast { reasons.append(String(format: "check the lighting: the backdrop had a colour cast of chroma %.0f (review.max_cast %.0f), e.g. mixed light; compare the product's colour", cast, thresholds.maxCast)) }
        // Value and threshold are the correction's, unless only the cast fails.
        let castOnly = cast > thresholds.maxCast && ev <= thresholds.maxCorrectionEV
        return GateResult(gate: "lighting", value: castOnly ? cast : ev, threshold: castOnly ? thresholds.maxCast : thresholds.maxCorrectionEV, passed: reasons.isEmpty,
                          reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    /// The product must reach every enabled channel's fill without upscaling.
    public func channelSizeGate(_ m: Manifest) -> GateResult {
        guard let master = m.master else { return GateResult(gate: "channel-size", value: 0, threshold: 0, passed: true) }
        var product = 0
        let taking = channels.filter { $0.takes(view: m.view) }
        let short = taking.compactMap { p -> (name: String, needed: Int)? in
            do { _ = try FitPlan.make(masterWidth: master.width, masterHeight: master.height, product: master.retouch?.frame.productBox, preset: p); return nil }
            catch let e as FitPlan.TooSmall { product = e.productPixels; return (p.name, e.neededPixels) }
            catch { return (p.name, 0) }
        }
        let names = short.map(\.name)
        let needs = short.map { $0.needed > 0 ? "\($0.name) needs \($0.needed) px" : $0.name }
        // Approving exports only the channels that can take it: say so when none can.
        let approving = short.count == taking.count ? GateResult.noChannelLeft : "approve to export the other channels only"
        return GateResult(gate: "channel-size", value: Double(short.count), threshold: 0, passed: short.isEmpty,
                          reason: short.isEmpty ? nil : "reshoot closer or at a higher resolution: the product is too small for \(names.joined(separator: ", ")) without upscaling (product \(product) px long; \(needs.joined(separator: ", ")); \(approving))")
    }
}

/// Gates on the pixel measurements the retouch stage adds for review (`RetouchRecord.Quality`):
/// outline sharpness, crushed shadows, things detached from the product, and the frame edges.
extension ReviewPolicy {
    /// Blurred: below the absolute floor, or far below the batch's median once the batch has a few frames.
    public func sharpnessGate(_ m: Manifest, batch: [Double]) -> GateResult {
        // No product found: the retouch gate says so; there is no outline to judge.
        guard let r = m.master?.retouch, let s = r.quality?.sharpness, !r.flags.contains("no_product") else {
            return GateResult(gate: "sharpness", value: 0, threshold: 0, passed: true)
        }
        let median = batch.count >= Self.minimumBatchForMedian ? batch.sorted()[batch.count / 2] : nil
        let relative = median.map { $0 * thresholds.sharpnessRatio } ?? 0
        let threshold = max(thresholds.minSharpness, relative)
        let passed = s >= threshold
        var reason: String?
        if !passed {
            reason = median.map { String(format: "reshoot in focus: the product's outline is blurred (sharpness %.0f against a median of %.0f over the batch and the frames before it; review.sharpness_ratio %.2f)", s, $0, thresholds.sharpnessRatio) }
                ?? String(format: "reshoot in focus: the product's outline is blurred (sharpness %.0f, below review.min_sharpness %.0f)", s, thresholds.minSharpness)
            if median != nil && s >= thresholds.minSharpness { reason! += ". If this product is soft by nature (fur, fabric), approve it" }
        }
        return GateResult(gate: "sharpness", value: s, threshold: threshold, passed: passed, reason: reason)
    }

    /// A batch median means something once this many frames were decided.
    static let minimumBatchForMedian = 5

    /// Something detached from the product stands on the sweep and would show in the white background.
    public func backgroundGate(_ m: Manifest) -> GateResult {
        let share = m.master?.retouch?.quality?.strayShare ?? 0
        let passed = share <= thresholds.maxStrayShare
        return GateResult(gate: "background", value: share, threshold: thresholds.maxStrayShare, passed: passed,
                          reason: passed ? nil : String(format: "check the background: something apart from the product (a prop, tape, a large speck) covers %.2f%% of it (review.max_stray_share %.2f%%); remove it from the sweep and reshoot, or retouch it out", share * 100, thresholds.maxStrayShare * 100))
    }

    /// The product touches an edge of the shot: it is cut off there.
    public func framingGate(_ m: Manifest) -> GateResult {
        let touches = m.master?.retouch?.frame.touches ?? []
        return GateResult(gate: "framing", value: Double(touches.count), threshold: 0, passed: touches.isEmpty,
                          reason: touches.isEmpty ? nil : "reshoot: the product is cut off at the \(touches.joined(separator: " and ")) edge\(touches.count > 1 ? "s" : "") of the frame")
    }
}
