import ControlProtocol
import Foundation
import PipelineCore

/// Each batch's progress and ETA, for `status` and systemd's status line.
extension Supervisor {
    func batchWork() -> [ProgressEstimate.Work] {
        var work: [String: ProgressEstimate.Work] = [:]
        func add(_ batch: String, _ n: Int, steps: [Step]) {
            work[batch, default: ProgressEstimate.Work(batch: batch, firstArrival: nil)].total += n
            for s in steps { work[batch]?.stepsLeft[s, default: 0] += n }
        }
        let person = Set(pipeline.stages.compactMap(\.holds))
        for (name, stats) in index.batches {
            var w = work[name] ?? ProgressEstimate.Work(batch: name, firstArrival: stats.firstArrival)
            w.firstArrival = stats.firstArrival
            w.total += stats.inProgress
            for (q, n) in stats.atRest where n > 0 {
                w.total += n
                if q == pipeline.done || q == .failed { w.done += n }
                else if person.contains(q) { w.waitingForPerson += n }
                else { for s in ProgressEstimate.workerSteps(after: q, in: pipeline) { w.stepsLeft[s, default: 0] += n } }
            }
            work[name] = w
        }
        for job in pool.jobs {
            if let id = job.assetID, let e = index.entry(id), e.inProgress != nil {
                // In its batch's total already; what it still needs is added here.
                for s in ProgressEstimate.workerSteps(from: job.step, in: pipeline) { work[e.batch]?.stepsLeft[s, default: 0] += 1 }
            } else if job.assetID == nil, let batch = job.inbox?.batch {
                add(batch, 1, steps: ProgressEstimate.workerSteps(from: job.step, in: pipeline))
            }
        }
        for (batch, n) in intake.waitingPerBatch() { add(batch, n, steps: ProgressEstimate.workerSteps(after: pipeline.intake.source, in: pipeline)) }
        return Array(work.values)
    }

    /// Active batches, oldest first, with their ETA.
    func batchProgress() -> [BatchProgressLine] {
        let work = batchWork()
        var means: [Step: Double] = [:]
        for (name, h) in metrics.stepSeconds where h.count > 0 {
            if let step = pipeline.step(named: name) { means[step] = h.sum / Double(h.count) }
        }
        let eta = ProgressEstimate.eta(work, meanSeconds: means, workers: config.workers)
        return work.filter(\.active)
            .sorted { ($0.firstArrival ?? .distantFuture, $0.batch) < ($1.firstArrival ?? .distantFuture, $1.batch) }
            .map { BatchProgressLine(batch: $0.batch, total: $0.total, done: $0.done, waitingForPerson: $0.waitingForPerson, etaSeconds: eta[$0.batch] ?? nil) }
    }
}
