import ArgumentParser
import ControlProtocol
import Foundation
import PipelineCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What photopipe did for a batch or a period: images, auto-pass rate, exceptions by gate, the sample, people's decisions, machine time, and the hours saved against the manual baseline ([report] in the config).")
    @OptionGroup var connection: Connection
    @Option(help: "Only this batch.") var batch: String?
    @Option(help: "Only assets that arrived on or after this day or time (2026-11-30, or 2026-11-30T09:00:00Z).") var since: String?

    func validate() throws {
        if batch != nil && since != nil { throw ValidationError("--batch or --since, not both") }
        if let since, Self.date(since) == nil { throw ValidationError("--since \(since): give a day (2026-11-30) or an ISO 8601 time") }
    }

    func run() throws {
        var r = Request(command: .report, batch: batch)
        r.since = since.flatMap(Self.date)
        try connection.call(r) { resp in
            guard let report = resp.report else { return }
            print(ReportText.render(report))
        }
    }

    static func date(_ s: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: s) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd"
        return f.date(from: s)
    }
}

enum ReportText {
    static func render(_ r: ROIReport) -> String {
        func pct(_ n: Int) -> String { r.images > 0 ? String(format: "%.1f %%", Double(n) * 100 / Double(r.images)) : "-" }
        var out = ["photopipe report: \(r.scope)"]
        out.append("images:           \(r.images) (exported \(r.exported), failed \(r.failed), still in the pipeline \(r.waiting)); generated variants \(r.variants)")
        out.append("auto-passed:      \(r.autoApproved) (\(pct(r.autoApproved)))")
        out.append("exceptions:       \(r.exceptions) (\(pct(r.exceptions)))")
        for (gate, n) in r.exceptionsByGate.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            out.append("  \(gate): \(n) (\(pct(n)))")
        }
        out.append("sampled:          \(r.sampled) (\(pct(r.sampled)))")
        out.append("decisions:        \(r.approvedByPerson) approved, \(r.rejected) rejected"
                   + (r.decisionsBy.isEmpty ? "" : " (" + r.decisionsBy.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        if let m = r.medianMinutesToDecision { out.append("time to decision: median \(String(format: "%.1f", m)) min") }
        if let s = r.machineSecondsPerImage { out.append("machine time:     \(String(format: "%.1f", s)) s per image (worker time, unattended)") }
        out.append(String(format: "by hand:          %.1f h (%.0f min per image)", r.manualHours, r.manualMinutesPerImage))
        out.append(String(format: "people's time:    %.2f h (%.0f s per image a person looked at)", r.reviewHours, r.reviewSecondsPerLook))
        out.append(String(format: "saved:            %.1f h", r.savedHours))
        return out.joined(separator: "\n")
    }
}
