import Foundation
import PipelineCore

/// Building the asset index at start (one read of every manifest, which also serves the
/// start-up work that needs them) and keeping it in step with the disk afterwards.
extension Supervisor {
    /// Queues whose assets review has decided on: they count in a batch's review summary and sheet.
    static func reviewedQueues(_ pipeline: Pipeline) -> Set<Queue> { [.review, .approved, pipeline.done, .failed] }

    func buildIndex() {
        let started = clock.now()
        var stale = Set<String>()
        var lastDecision: [String: Date] = [:], waitingBatches = Set<String>()
        let channelStamps = ChannelManifestStamps(layout: layout)
        let (built, unreadable) = AssetIndex.build(layout: layout, reviewedQueues: Self.reviewedQueues(pipeline)) { m, q in
            if q == .review { waitingBatches.insert(m.batch) }
            if let at = m.review?.decidedAt { lastDecision[m.batch] = max(lastDecision[m.batch] ?? at, at) }
            // A channel manifest older than an asset's last export missed that export's entries.
            if q == pipeline.done, channelStamps.isStale(batch: m.batch, channels: m.outputs.map(\.channel), than: m.id, in: q) {
                stale.insert(m.batch)
            }
        }
        index = built
        for dir in unreadable { log.error("the manifest in \(dir) cannot be read; that asset is left out until it is fixed") }
        // A batch with assets waiting whose sheet is missing or older than its last decision (a
        // crash before the writer ran) gets it written again; current sheets are left alone.
        for b in waitingBatches {
            let page = Supervisor.mtime("\(layout.contactSheet(batch: b))/index.html")
            let decided = lastDecision[b].map { Int64($0.timeIntervalSince1970 * 1e9) } ?? .max
            if page.map({ $0 < decided }) ?? true { markSheet(b) }
        }
        rebuildChannelManifests(batches: stale)
        log.info("index: \(index.total) assets in \(Int(clock.now().timeIntervalSince(started) * 1000)) ms; \(stale.count) batches' channel manifests rebuilt")
    }

    /// After an overflow or the minute's sweep: assets found in a queue where the index does not
    /// have them (moved by reconcile, or by a path that missed the index) are read again.
    func syncIndex() {
        for q in pipeline.assetQueues {
            for key in layout.assets(in: q) {
                if let e = index.entry(key), e.queue == q, e.inProgress == nil { continue }
                guard let m = try? ManifestStore.read(assetDir: layout.asset(key, in: q)) else { continue }
                if q == .failed { index.insert(m, key: key, in: q) } else if key == m.id { index.put(m, in: q) }
            }
        }
    }
}

/// Modification times of the channel manifests, to tell which batches missed an export.
struct ChannelManifestStamps {
    let layout: Layout

    func isStale(batch: String, channels: [String], than id: String, in queue: Queue) -> Bool {
        guard let asset = Supervisor.mtime("\(layout.asset(id, in: queue))/\(ManifestStore.fileName)") else { return false }
        for c in Set(channels) {
            let path = "\(layout.channel(c))/\(ChannelManifest.fileName(batch: batch))"
            guard let stamp = Supervisor.mtime(path), stamp >= asset else { return true }
        }
        return false
    }
}
