import Foundation
import PipelineCore

/// Review of a generated variant: it always waits for a person (never auto-approved, never
/// sampled out); one whose product moved from the master's pixels waits as an exception, with
/// the figures in words.
public enum VariantGate {
    public struct Limits: Sendable, Equatable {
        /// CIEDE2000 inside the product between the variant and the placed master.
        public var meanDeltaE = 1.0
        public var p95DeltaE = 2.0
        /// Share of product pixels whose ΔE2000 is above the record's threshold.
        public var maxShareOver = 0.01
        /// A redrawn product (on-model): CIEDE2000 of its mean colour against the master's…
        public var redrawnMeanDeltaE = GenerateSettings.Rule.defaultRedrawnMaxDeltaE
        /// …and the least overlap of its shape with the master's after alignment.
        public var redrawnShapeIoU = GenerateSettings.Rule.defaultRedrawnMinShapeIoU
        public init() {}

        /// The limits of the rule that made the variant (the defaults where it sets none, or when the
        /// rule is gone from the config).
        public init(rule: GenerateSettings.Rule?) {
            if let d = rule?.redrawnMaxDeltaE { redrawnMeanDeltaE = d }
            if let iou = rule?.redrawnMinShapeIoU { redrawnShapeIoU = iou }
        }
    }

    public static func review(_ g: GeneratedRecord, source: String, limits: Limits = Limits()) -> ReviewRecord {
        let f = g.fidelity
        let gates = g.redrawn.map { redrawnGates($0, limits) } ?? [
            GateResult(gate: "fidelity-mean", value: f.meanDeltaE, threshold: limits.meanDeltaE, passed: f.meanDeltaE <= limits.meanDeltaE,
                       reason: "the product's mean colour moved by ΔE2000 \(fmt(f.meanDeltaE)) from the photograph (at most \(fmt(limits.meanDeltaE)))"),
            GateResult(gate: "fidelity-p95", value: f.p95DeltaE, threshold: limits.p95DeltaE, passed: f.p95DeltaE <= limits.p95DeltaE,
                       reason: "5% of the product's pixels moved by more than ΔE2000 \(fmt(f.p95DeltaE)) (at most \(fmt(limits.p95DeltaE)))"),
            GateResult(gate: "fidelity-share", value: f.shareOver, threshold: limits.maxShareOver, passed: f.shareOver <= limits.maxShareOver,
                       reason: "\(fmt(f.shareOver * 100))% of the product's pixels differ by more than ΔE2000 \(fmt(f.threshold)) (at most \(fmt(limits.maxShareOver * 100))%)"),
        ]
        let failed = gates.filter { !$0.passed }
        let made = g.scene.map { g.generator == "scene" ? "the scene generator on plate \($0)" : "the \(g.generator) generator (scene '\($0)')" }
            ?? "the \(g.generator) generator"
        if failed.isEmpty {
            return ReviewRecord(status: .generated, gates: gates,
                                reason: "variant of \(source) made by \(made): a person approves every generated image")
        }
        return ReviewRecord(status: .exception, gates: gates,
                            reason: "variant of \(source) made by \(made) does not keep the product as photographed: "
                                + failed.compactMap(\.reason).joined(separator: "; "))
    }

    /// The product was redrawn (on-model), so its pixels cannot match the photograph's: its colour
    /// and its shape are held to the photograph instead.
    static func redrawnGates(_ r: RedrawnFigures, _ limits: Limits) -> [GateResult] {
        [
            GateResult(gate: "redrawn-colour", value: r.meanDeltaE, threshold: limits.redrawnMeanDeltaE, passed: r.meanDeltaE <= limits.redrawnMeanDeltaE,
                       reason: "the redrawn product's mean colour is ΔE2000 \(fmt(r.meanDeltaE)) from the photograph's (at most \(fmt(limits.redrawnMeanDeltaE)))"),
            GateResult(gate: "redrawn-shape", value: r.shapeIoU, threshold: limits.redrawnShapeIoU, passed: r.shapeIoU >= limits.redrawnShapeIoU,
                       reason: "the redrawn product's shape overlaps the photograph's by \(fmt(r.shapeIoU * 100))% after aligning (at least \(fmt(limits.redrawnShapeIoU * 100))%)"),
        ]
    }

    private static func fmt(_ x: Double) -> String { String(format: "%.2f", x) }
}
