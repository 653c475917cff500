import ControlProtocol
import Foundation
import PipelineCore

/// What the delivery service is told of the rest of the pipeline: exports, failures, and where a
/// batch's assets are.
extension Supervisor {
    func loadPendingDeliveries() { delivery.start() }

    func queueDeliveries(_ m: Manifest) { delivery.queue(m) }

    /// The batch may be complete now (a failure counts): its webhooks are due once it is quiet.
    func markWebhookDue(_ batch: String) { delivery.markDue(batch) }

    func serviceDeliveries(_ now: Date) { delivery.service(now: now, progress: batchProgress) }

    func deliveryFinished(_ outcome: DeliveryOutcome) { delivery.finished(outcome) }

    /// Where a batch's assets are outside export/: still in machine stages (inbox, queues, workers),
    /// waiting in review for a person, or failed (not counting assets exported since).
    func batchProgress(_ batch: String, exported: Set<String>) -> Deliveries.BatchProgress {
        var p = Deliveries.BatchProgress()
        var upstream = Set<String>()
        let assets = index.entries(batch: batch)
        for e in assets where e.queue != .failed && e.queue != pipeline.done {
            // In progress counts as machine work wherever it was claimed from.
            if e.queue == .review && e.inProgress == nil { p.review += 1 } else { p.machine += 1 }
            upstream.insert(e.key)
        }
        for job in pool.jobs where job.inbox?.batch == batch { p.machine += 1 }
        p.machine += intake.waitingPerBatch()[batch] ?? 0
        var seen = Set<String>()
        for e in assets.sorted(by: { $0.key < $1.key }) where e.queue == .failed {
            // failed/ may name an older failure "<id>-2": the asset is the manifest's id.
            let id = e.failureOf
            guard !exported.contains(id), !upstream.contains(id), seen.insert(id).inserted else { continue }
            p.failures.append(.init(asset: id, sku: e.sku, target: nil, channel: nil, file: e.sourceName,
                                    reason: e.failure.map { "\($0.step): \($0.message)" } ?? "failed"))
        }
        return p
    }

    /// An asset or a batch: its exported assets' deliveries go again (see `Deliveries.redeliver`).
    func redeliver(_ name: String?) -> Response {
        guard let name, Sanitizer.component(name) == name else { return .failure("name an asset id or a batch (see `pipectl deliveries`)") }
        let exported = index.entries(in: pipeline.done).filter { $0.key == name || $0.batch == name }
            .compactMap { try? ManifestStore.read(assetDir: layout.asset($0.key, in: pipeline.done)) }
        return delivery.redeliver(name, exported: exported)
    }
}
