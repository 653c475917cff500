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
        let listing: Listing
        if let batch = r.batch {
            guard index.batches[batch] != nil else { slot.fulfil(.failure("no batch '\(batch)' (see `pipectl batches`)")); return }
            scope = "batch \(batch)"
            listing = reportListing(index.entries(batch: batch))
        } else {
            let since = r.since ?? .distantPast
            scope = r.since.map { "since \(ISO8601DateFormatter().string(from: $0))" } ?? "everything"
            listing = reportListing(index.batches.keys.sorted().flatMap { index.entries(batch: $0) }.filter { $0.arrivedAt >= since })
        }
        let layout = self.layout, baseline = config.report
        DispatchQueue.global().async {
            var resp = Response(ok: true)
            resp.report = Self.buildReport(scope: scope, listing: listing, layout: layout, baseline: baseline)
            slot.fulfil(resp)
        }
    }

    /// The manifests to read, and how many assets a step holds now (still in the pipeline).
    struct Listing {
        var assets: [(key: String, queue: Queue)] = []
        var inProgress = 0
    }

    /// Each asset once: failed/ may keep an older failure ("<id>-2") of an asset that lives on
    /// elsewhere, or two of one asset; those are not more images.
    func reportListing(_ entries: [AssetIndex.Entry]) -> Listing {
        let live = Set(entries.filter { $0.queue != .failed }.map(\.key))
        var seen = Set<String>()
        var out = Listing()
        for e in entries.sorted(by: { $0.key < $1.key }) {
            if e.inProgress != nil { out.inProgress += 1; continue }
            if e.queue == .failed, live.contains(e.failureOf) || !seen.insert(e.failureOf).inserted { continue }
            out.assets.append((e.key, e.queue))
        }
        return out
    }

    static func buildReport(scope: String, listing: Listing, layout: Layout, baseline: ReportSettings) -> ROIReport {
        var builder = ROIReportBuilder(scope: scope, baseline: baseline)
        builder.addInProgress(listing.inProgress)
        for (key, queue) in listing.assets {
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
        let listing = reportListing(index.entries(batch: batch))
        let layout = self.layout, baseline = config.report, log = self.log
        let path = "\(layout.dir(pipeline.done))/\(Sanitizer.component(batch, fallback: "batch")).report.json"
        DispatchQueue.global().async {
            let report = Self.buildReport(scope: "batch \(batch)", listing: listing, layout: layout, baseline: baseline)
            do { try AtomicFile.write(try ControlCoding.encoder(pretty: true).encode(report), to: path) } catch { log.error("cannot write \(path): \(error)") }
        }
    }
}
