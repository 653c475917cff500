import ControlProtocol
import Foundation
import PipelineCore

/// `pipectl show` for a person: where the asset is, what review said and why, what failed, its
/// files and its last steps; the whole manifest is `--json`.
enum AssetText {
    static func render(_ detail: JSONValue?) -> String {
        guard case .object(let d)? = detail, let raw = d["manifest"], let data = try? JSONEncoder().encode(raw),
              let m = try? ManifestStore.decoder().decode(Manifest.self, from: data) else {
            return "the daemon sent no manifest; try --json"
        }
        var stage = "?"
        if case .string(let s)? = d["stage"] { stage = s }
        var out = ["\(m.id)", "  stage:    \(stage)", "  batch:    \(m.batch)",
                   "  sku:      \(m.sku)\(m.view.map { ", view \($0)" } ?? "")", "  source:   \(m.sourceName), arrived \(time(m.arrivedAt))"]
        if let source = m.variantOf { out.append("  variant of \(source)") }
        if let master = m.master { out.append("  master:   \(master.width)×\(master.height)\((master.retouch?.flags ?? []).isEmpty ? "" : ", flags: " + (master.retouch?.flags ?? []).joined(separator: ", "))") }
        if let r = m.review {
            var line = "  review:   \(r.status.rawValue)\(r.sampled == true ? " (sampled)" : "")"
            if let by = r.decidedBy { line += " by \(by)" }
            out.append(line)
            if let reason = r.reason, !reason.isEmpty { out.append("            \(reason)") }
            for g in r.gates where !g.passed { out.append("            failed \(g.gate): \(number(g.value)) against \(number(g.threshold))") }
        }
        for note in m.reviewNotes ?? [] { out.append("  note:     \(note.by), \(time(note.at)): \(note.note)") }
        if let e = m.error { out.append("  failed:   at \(e.step): \(e.code): \(e.message) (attempts \(e.attempts))") }
        if case .object(let err)? = d["error"], case .string(let msg)? = err["message"], m.error == nil { out.append("  error:    \(msg)") }
        for issue in m.exportIssues ?? [] { out.append("  no file for \(issue.channel): \(issue.message)") }
        if !m.outputs.isEmpty {
            out.append("  files:")
            for o in m.outputs { out.append("    \(o.channel): \(o.path) (\(o.width)×\(o.height), \(o.bytes / 1024) KiB)") }
        }
        let history = m.history.suffix(8)
        if !history.isEmpty {
            out.append("  history\(m.history.count > history.count ? " (last \(history.count) of \(m.history.count))" : ""):")
            for h in history { out.append("    \(time(h.at))  \(h.step) → \(h.to)\(h.note.map { ": \($0)" } ?? "")") }
        }
        out.append("The whole manifest: pipectl show \(m.id) --json")
        return out.joined(separator: "\n")
    }

    static let timeFormat: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()

    static func time(_ d: Date) -> String { timeFormat.string(from: d) }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(format: "%.0f", v) : String(format: "%.3g", v)
    }
}
