import Foundation
import PipelineCore

/// A review gate's result in a reviewer's words, with its numbers and their units. The gates are
/// made in `Review` (ImageGates, RetouchGate, VariantGate, ReviewPolicy); their `reason`, when
/// there is one, carries what the value alone cannot (channel names, edges, flags, candidates).
public enum GateWords {
    /// - Parameter views: view numbers of the batch's assets by id, so a near-duplicate names its view.
    public static func line(_ g: GateResult, views: [String: Int] = [:]) -> GateLine {
        GateLine(gate: g.gate, passed: g.passed, words: words(g, views: views))
    }

    public static func words(_ g: GateResult, views: [String: Int] = [:]) -> String {
        switch g.gate {
        case "resolution": return resolution(g)
        case "channel-size": return channelSize(g)
        case "framing": return framing(g)
        case "retouch": return retouch(g)
        case "sharpness": return sharpness(g)
        case "exposure": return exposure(g)
        case "lighting": return lighting(g)
        case "background": return background(g)
        case "sku": return g.passed ? "SKU accepted" : g.reason ?? "SKU not in the catalogue"
        case "view": return g.passed ? "no other frame holds this view" : g.reason ?? "another frame already holds this view"
        case "near-duplicate": return nearDuplicate(g, views: views)
        case "fidelity-mean":
            return g.reason ?? "the product's mean colour moved by ΔE2000 \(num(g.value)) from the photograph (at most \(num(g.threshold)))"
        case "fidelity-p95":
            return g.reason ?? "5% of the product's pixels moved by more than ΔE2000 \(num(g.value)) (at most \(num(g.threshold)))"
        case "fidelity-share":
            return g.reason ?? "\(percent(g.value)) of the product's pixels changed colour visibly (at most \(percent(g.threshold)))"
        case "redrawn-colour":
            return g.reason ?? "the redrawn product's mean colour is ΔE2000 \(num(g.value)) from the photograph's (at most \(num(g.threshold)))"
        case "redrawn-shape":
            return g.reason ?? "the redrawn product's shape overlaps the photograph's by \(percent(g.value)) after aligning (at least \(percent(g.threshold)))"
        default:
            let base = "\(g.gate): \(num(g.value)) (limit \(num(g.threshold)))"
            return g.reason.map { "\(base); \($0)" } ?? base
        }
    }

    // MARK: - One function per gate

    /// Value: the frame's long side at master scale (px); threshold: review.min_long_side (px).
    static func resolution(_ g: GateResult) -> String {
        let frame = "frame \(Int(g.value)) px on its long side"
        return g.passed ? "\(frame) (at least \(Int(g.threshold)) px)"
            : "\(frame); review needs \(Int(g.threshold)) px: reshoot or re-export larger"
    }

    /// Value: how many enabled channels the product is too small for; the reason names them.
    static func channelSize(_ g: GateResult) -> String {
        if g.passed { return "product big enough for every channel without upscaling" }
        let channels = g.reason.flatMap { between($0, "too small for ", " without upscaling") }
            ?? "\(Int(g.value)) channel\(g.value == 1 ? "" : "s")"
        // The reason's numbers, when it has them: "product 1807 px long; walmart needs 1870 px".
        let none = g.reason?.contains(GateResult.noChannelLeft) ?? false
        let numbers = g.reason.flatMap { between($0, "(product ", none ? "; no channel" : "; approve") }.map { "product \($0): " } ?? ""
        return "\(numbers)product too small for \(channels) without upscaling: reshoot closer or at a higher resolution"
            + (none ? "; \(GateResult.noChannelLeft)" : ", or approve to export the other channels only")
    }

    /// Value: how many edges of the frame the product touches; the reason names them.
    static func framing(_ g: GateResult) -> String {
        if g.passed { return "product clear of the frame's edges" }
        if let edges = g.reason.flatMap({ between($0, "cut off at the ", " edge") }) {
            return "product cut off at the \(edges) edge\(g.value > 1 ? "s" : "") of the frame: reshoot"
        }
        return "product touches \(Int(g.value)) edge\(g.value == 1 ? "" : "s") of the frame: reshoot"
    }

    /// Value: the cut-out's confidence (0–1); threshold: review.min_confidence. The reason holds the flags' advice.
    static func retouch(_ g: GateResult) -> String {
        let figures = "cut-out confidence \(fixed(g.value)), at least \(fixed(g.threshold))"
        if g.passed { return "cut-out confidence \(fixed(g.value)) (at least \(fixed(g.threshold)))" }
        guard let reason = g.reason else { return figures }
        return reason.contains("confidence") ? reason : "\(reason) (\(figures))"
    }

    /// Value: outline sharpness (variance of the alpha's Laplacian); threshold: the larger of
    /// review.min_sharpness and the batch median × review.sharpness_ratio. 0/0: nothing measured.
    static func sharpness(_ g: GateResult) -> String {
        if g.passed {
            return g.value == 0 && g.threshold == 0 ? "sharpness not measured (no product outline)"
                : "sharpness \(num(g.value)) (at least \(num(g.threshold)))"
        }
        let soft = g.reason?.contains("soft by nature") == true ? "; if the product is soft by nature (fur, fabric), approve it" : ""
        if let median = g.reason.flatMap({ between($0, "median of ", " ") }) {
            return "sharpness \(num(g.value)), the batch's frames reach \(median) (median; at least \(num(g.threshold)) needed): reshoot in focus\(soft)"
        }
        return "sharpness \(num(g.value)), below the floor of \(num(g.threshold)): reshoot in focus\(soft)"
    }

    /// Value: share of the product clipped at white (or crushed to black when only the shadows
    /// fail); threshold: the matching review.max_* share. The reason says which, with the advice.
    static func exposure(_ g: GateResult) -> String {
        if g.passed { return "highlights clipped on \(percent(g.value)) of the product (at most \(percent(g.threshold)))" }
        return g.reason ?? "\(percent(g.value)) of the product clipped or crushed (at most \(percent(g.threshold)))"
    }

    /// Value: the exposure correction in EV (or the backdrop cast's CIELAB chroma when only the
    /// cast fails); threshold: review.max_correction_ev (or review.max_cast).
    static func lighting(_ g: GateResult) -> String {
        if g.passed { return "exposure corrected by \(fixed1(g.value)) EV (at most \(fixed1(g.threshold)) EV)" }
        return g.reason ?? "lighting corrected by \(num(g.value)), over the limit of \(num(g.threshold))"
    }

    /// Value: share of the background covered by parts detached from the product; threshold: review.max_stray_share.
    static func background(_ g: GateResult) -> String {
        if g.passed { return "stray parts cover \(percent(g.value)) of the background (at most \(percent(g.threshold)))" }
        return g.reason ?? "stray parts cover \(percent(g.value)) of the background (at most \(percent(g.threshold))): remove them and reshoot"
    }

    /// Value: colour-signature distance (0–255) to the closest frame of the SKU, 255 when there is
    /// none; threshold: review.near_duplicate_distance (at or below it counts as a near-duplicate).
    static func nearDuplicate(_ g: GateResult, views: [String: Int]) -> String {
        let rule = "\(num(g.threshold)) or less counts as a near-duplicate"
        if g.passed {
            return g.value >= 255 ? "no other frame of this SKU to compare with"
                : "closest frame of this SKU at distance \(num(g.value)) (\(rule))"
        }
        let other = g.reason.flatMap { between($0, "near-duplicate of ", " (") }
        let named = other.map { id in views[id].map { "view \($0) (\(id))" } ?? id } ?? "another frame of this SKU"
        return "near-duplicate of \(named) (distance \(num(g.value)); \(rule)): keep one of the two frames"
    }

    // MARK: - Numbers and text

    /// As many decimals as the size of the number deserves, without trailing zeros.
    static func num(_ x: Double) -> String {
        let a = abs(x)
        return trimmed(String(format: a >= 100 ? "%.0f" : a >= 1 ? "%.1f" : "%.2f", x))
    }

    static func fixed(_ x: Double) -> String { String(format: "%.2f", x) }
    static func fixed1(_ x: Double) -> String { String(format: "%.1f", x) }

    /// A share (0–1) as a percentage.
    static func percent(_ share: Double) -> String { num(share * 100) + "%" }

    /// "8.0" → "8", "0.10" → "0.1", "-0" → "0".
    static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        if t.contains(".") {
            while t.hasSuffix("0") { t = t.dropLast() }
            if t.hasSuffix(".") { t = t.dropLast() }
        }
        return t == "-0" ? "0" : String(t)
    }

    /// The text between two markers, when both are there.
    static func between(_ s: String, _ start: String, _ end: String) -> String? {
        guard let a = s.range(of: start), let b = s.range(of: end, range: a.upperBound..<s.endIndex) else { return nil }
        let found = s[a.upperBound..<b.lowerBound]
        return found.isEmpty ? nil : String(found)
    }
}
