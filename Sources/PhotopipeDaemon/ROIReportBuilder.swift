import ControlProtocol
import Foundation
import PipelineCore

/// Adds up a batch's or a period's manifests into `pipectl report`'s figures. Time saved is the
/// baseline's manual minutes for every photograph, less a reviewer's look at each one a person
/// saw (held for the sample, an exception, or a variant); worker time is the machine's, unattended.
struct ROIReportBuilder {
    var report: ROIReport
    private var waits: [Double] = []
    private var machineSeconds = 0.0
    private var timed = 0

    init(scope: String, baseline: ReportSettings) {
        report = ROIReport(scope: scope)
        report.manualMinutesPerImage = baseline.manualMinutesPerImage
        report.reviewSecondsPerLook = baseline.reviewSecondsPerLook
    }

    /// Assets a step holds now: in the pipeline still, their manifests not read.
    mutating func addInProgress(_ n: Int) {
        report.images += n
        report.waiting += n
    }

    mutating func add(_ m: Manifest, queue: Queue) {
        report.from = min(report.from ?? m.arrivedAt, m.arrivedAt)
        report.to = max(report.to ?? m.arrivedAt, m.history.last?.at ?? m.arrivedAt)
        if m.variantOf != nil {
            report.variants += 1
            countDecision(m)
            return
        }
        report.images += 1
        if queue == .export { report.exported += 1 } else if queue == .failed { report.failed += 1 } else { report.waiting += 1 }
        let failedGates = (m.review?.gates ?? []).filter { !$0.passed }.map(\.gate)
        if m.review?.status == .autoApproved { report.autoApproved += 1 }
        if m.review?.sampled == true { report.sampled += 1 }
        if !failedGates.isEmpty {
            report.exceptions += 1
            for g in Set(failedGates) { report.exceptionsByGate[g, default: 0] += 1 }
        }
        countDecision(m)
        let worker = m.history.filter { ["ingest", "retouch", "generate", "export"].contains($0.step) }.compactMap { $0.workerMs ?? $0.ms }
        if !worker.isEmpty {
            machineSeconds += worker.reduce(0, +) / 1000
            timed += 1
        }
    }

    private mutating func countDecision(_ m: Manifest) {
        guard let r = m.review, r.status == .approved || r.status == .rejected, let who = r.decidedBy else { return }
        report.decisionsBy[who, default: 0] += 1
        if r.status == .approved { report.approvedByPerson += 1 } else { report.rejected += 1 }
        if let decided = r.decidedAt, let held = m.history.last(where: { $0.step == "review" && $0.to == Queue.review.rawValue && $0.at <= decided })?.at {
            waits.append(decided.timeIntervalSince(held) / 60)
        }
    }

    func finished() -> ROIReport {
        var r = report
        let w = waits.sorted()
        r.medianMinutesToDecision = w.isEmpty ? nil : (w.count % 2 == 1 ? w[w.count / 2] : (w[w.count / 2 - 1] + w[w.count / 2]) / 2)
        r.machineSecondsPerImage = timed > 0 ? machineSeconds / Double(timed) : nil
        let looks = r.approvedByPerson + r.rejected
        r.manualHours = Double(r.images) * r.manualMinutesPerImage / 60
        r.reviewHours = Double(looks) * r.reviewSecondsPerLook / 3600
        r.savedHours = r.manualHours - r.reviewHours
        return r
    }
}
