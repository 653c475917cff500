import ControlProtocol
import Foundation
import PipelineCore

/// `pipectl report` and the summary written when a batch is done. The index says which assets
/// count; their manifests are read and added up off the main loop.
extension Supervisor {
    /// Answers on another thread (a period may span many batches); the main loop only lists.
    func report(_ r: Request, _ peer: Peer, _ slot: ReplySlot) {
        guard allowed(r.command, peer) else {
            slot.fulfil(.failure(ControlPermissions.denial(r.command, euid: geteuid(), socketGroup: config.socketGroup, reviewGroup: config.reviewGroup)))
            return
        }
        let scope: String
        let listing: [(key: String, queue: Queue)]
        if let batch = r.batch {
            guard index.batches[batch] != nil else { slot.fulfil(.failure("no batch '\(batch)' (see `pipectl batches`)")); return }
            scope = "batch \(batch)"
            listing = index.entries(batch: batch).filter { $0.inProgress == nil }.map { ($0.key, $0.queue) }
        } else {
            let since = r.since ?? .distantPast
            scope = r.since.map { "since \(ISO8601DateFormatter().string(from: $0))" } ?? "everything"
            listing = index.batches.keys.sorted().flatMap { index.entries(batch: $0) }
                .filter { $0.inProgress == nil && $0.arrivedAt >= since }.map { ($0.key, $0.queue) }
        }
        let layout = self.layout, baseline = config.report
        DispatchQueue.global().async {
            var resp = Response(ok: true)
            resp.report = Self.buildReport(scope: scope, listing: listing, layout: layout, baseline: baseline)
            slot.fulfil(resp)
        }
    }

    static func buildReport(scope: String, listing: [(key: String, queue: Queue)], layout: Layout, baseline: ReportSettings) -> ROIReport {
        var builder = ROIReportBuilder(scope: scope, baseline: baseline)
        for (key, queue) in listing {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(key, in: queue)) else { continue }
            builder.add(m, queue: queue)
        }
        return builder.finished()
    }

    /// Once nothing of a batch is left to do, its report goes beside its channel manifests, as
    /// `export/<batch>.report.json`.
    func writeBatchReportIfDone(_ batch: String) {
        guard let stats = index.batches[batch], stats.inProgress == 0,
              stats.atRest.keys.allSatisfy({ $0 == pipeline.done || $0 == .failed }),
              intake.waitingPerBatch()[batch] == nil else { return }
        let listing = index.entries(batch: batch).map { ($0.key, $0.queue) }
        let layout = self.layout, baseline = config.report, log = self.log
        let path = "\(layout.dir(pipeline.done))/\(Sanitizer.component(batch, fallback: "batch")).report.json"
        DispatchQueue.global().async {
            let report = Self.buildReport(scope: "batch \(batch)", listing: listing, layout: layout, baseline: baseline)
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            e.dateEncodingStrategy = .iso8601
            do { try AtomicFile.write(try e.encode(report), to: path) } catch { log.error("cannot write \(path): \(error)") }
        }
    }
}
