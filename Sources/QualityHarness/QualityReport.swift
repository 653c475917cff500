import Foundation

/// Per-set figures, batch consistency, and the issue's targets checked one by one.
public struct QualityReport: Codable {
    public struct Target: Codable { public var name: String; public var value: String; public var met: Bool }
    public var scenes: [SceneMetrics]
    public var targets: [Target]
    public var consistency: [String: [String: Double]]
    public var targetsMet: Bool { targets.allSatisfy(\.met) }

    public init(_ scenes: [SceneMetrics]) {
        self.scenes = scenes
        var t: [Target] = []
        let plain = scenes.filter { $0.kind == "opaque" }
        func f(_ v: Double, _ d: Int = 4) -> String { String(format: "%.\(d)f", v) }
        if !plain.isEmpty {
            let iou = plain.map(\.iou).min()!, mae = plain.map(\.alphaMAE).max()!, bf = plain.map(\.boundaryF).min()!
            t.append(Target(name: "opaque IoU ≥ 0.985 (worst of \(plain.count))", value: f(iou), met: iou >= 0.985))
            t.append(Target(name: "opaque alpha MAE ≤ 0.01 (worst)", value: f(mae), met: mae <= 0.01))
            t.append(Target(name: "opaque boundary F ≥ 0.90 (worst)", value: f(bf, 3), met: bf >= 0.90))
        }
        let unflagged = scenes.filter { $0.flags.isEmpty }
        let impure = unflagged.filter { $0.purity < 1 }
        t.append(Target(name: "background purity 100% on unflagged, more than 2 px from the product (\(unflagged.count) images)",
                        value: impure.isEmpty ? "100%" : impure.map { "\($0.name) \(f($0.purity * 100, 3))%" }.joined(separator: ", "),
                        met: impure.isEmpty))
        let impureFar = unflagged.filter { $0.purityBeyond4px < 1 }
        t.append(Target(name: "background purity 100% on unflagged, more than 4 px from the product",
                        value: impureFar.isEmpty ? "100%" : impureFar.map { "\($0.name) \(f($0.purityBeyond4px * 100, 3))%" }.joined(separator: ", "),
                        met: impureFar.isEmpty))
        if !unflagged.isEmpty {
            t.append(Target(name: "regression guard: background purity more than 2 px out ≥ 99.9% (worst unflagged)", value: f(unflagged.map(\.purity).min()! * 100, 3) + "%",
                            met: unflagged.map(\.purity).min()! >= 0.999))
        }
        let plainUnflagged = plain.filter { $0.flags.isEmpty }
        if !plainUnflagged.isEmpty {
            let iou = plainUnflagged.map(\.iou).min()!, bf = plainUnflagged.map(\.boundaryF).min()!
            t.append(Target(name: "unflagged opaque IoU ≥ 0.985 (worst of \(plainUnflagged.count))", value: f(iou), met: iou >= 0.985))
            t.append(Target(name: "unflagged opaque boundary F ≥ 0.90 (worst)", value: f(bf, 3), met: bf >= 0.90))
        }
        let drift = scenes.filter { $0.set == "drift" }.compactMap(\.deltaE2000)
        if !drift.isEmpty {
            let mean = drift.reduce(0, +) / Double(drift.count)
            t.append(Target(name: "drift set mean ΔE2000 ≤ 2 (max \(f(drift.max()!, 2)))", value: f(mean, 2), met: mean <= 2))
        }
        let hard = scenes.filter { $0.kind != "opaque" }
        let silent = hard.filter { $0.flags.isEmpty && $0.iou < 0.95 }
        t.append(Target(name: "hard cases IoU ≥ 0.95 or flagged (\(hard.count) images, \(hard.filter { !$0.flags.isEmpty }.count) flagged)",
                        value: silent.isEmpty ? "none silent" : silent.map(\.name).joined(separator: ", "), met: silent.isEmpty))
        targets = t

        // Batch consistency: the same product under drifting light.
        var groups: [String: [SceneMetrics]] = [:]
        for s in scenes where s.set == "drift" { groups[String(s.name.prefix(7)), default: []].append(s) }
        var c: [String: [String: Double]] = [:]
        func sd(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        for (k, g) in groups {
            let labs = g.compactMap(\.productLab)
            c[k] = ["backdropL_sd": sd(g.map(\.correctedBackdropL)), "productL_sd": sd(labs.map { $0[0] }),
                    "product_a_sd": sd(labs.map { $0[1] }), "product_b_sd": sd(labs.map { $0[2] }),
                    "fill_spread_pct": ((g.map(\.fillRatio).max()! - g.map(\.fillRatio).min()!) * 100)]
        }
        consistency = c
    }

    public var text: String {
        var lines: [String] = ["", "per set (mean IoU / worst IoU / mean boundary F / mean MAE / mean edge MAE / flagged):"]
        for set in ["opaque", "drift", "coloured", "hard"] {
            let s = scenes.filter { $0.set == set }
            guard !s.isEmpty else { continue }
            let n = Double(s.count)
            lines.append(String(format: "  %-9@ n=%2d  IoU %.4f / %.4f  F %.3f  MAE %.4f  edgeMAE %.3f  flagged %d", set as NSString, s.count,
                                s.map(\.iou).reduce(0, +) / n, s.map(\.iou).min()!, s.map(\.boundaryF).reduce(0, +) / n,
                                s.map(\.alphaMAE).reduce(0, +) / n, s.map(\.alphaMAEEdge).reduce(0, +) / n, s.filter { !$0.flags.isEmpty }.count))
        }
        lines.append("batch consistency (drift set, per product; sd over 15 frames):")
        for (k, v) in consistency.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "  %@  backdrop L* sd %.2f  product L* sd %.2f  a* sd %.2f  b* sd %.2f  fill spread %.2f%%", k as NSString,
                                v["backdropL_sd"]!, v["productL_sd"]!, v["product_a_sd"]!, v["product_b_sd"]!, v["fill_spread_pct"]!))
        }
        lines.append("targets:")
        for t in targets { lines.append("  [\(t.met ? "met" : "MISSED")] \(t.name): \(t.value)") }
        return lines.joined(separator: "\n")
    }
}
