import Foundation
import PipelineCore
import Review

/// What the daemon knows about every asset, in memory: where it is and what a person asks about
/// it. Kept current by the transitions and rebuilt by reconcile, so `status`, `list`, `review`,
/// `exceptions`, `batches` and the contact sheets never read every manifest on disk.
final class AssetIndex {
    struct Entry: Equatable {
        /// The asset's directory name in its queue (its id; failed/ may add a suffix).
        let key: String
        var queue: Queue
        /// Claimed by a step and being worked on.
        var inProgress: Step?
        var batch: String
        var sku: String
        var view: Int?
        var arrivedAt: Date
        var sourceName: String
        /// The asset's id (the key of a failed one may carry a suffix).
        var failureOf: String
        /// The step it failed at and why (assets in failed/).
        var failure: (step: String, message: String)?
        var errorCode: String?
        /// "code: message", as `list` shows a failure.
        var error: String? { errorCode.flatMap { c in failure.map { "\(c): \($0.message)" } } }
        var exportNote: String?
        var review: ReviewFacts?
        var flags: [String]
        var sharpness: (key: String, value: Double)?

        static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.queue == b.queue && a.inProgress == b.inProgress }
    }

    /// The parts of a review record that answers and sample tallies use.
    struct ReviewFacts: Equatable {
        var status: ReviewStatus
        var sampled: Bool
        var reason: String?
        var decidedAt: Date?
        var failedGates: [String]
    }

    private var entries: [String: Entry] = [:]
    /// Failed assets by directory name: failed/ may hold an older failure of an id that lives on elsewhere.
    private var failed: [String: Entry] = [:]
    private var order: [Queue: ArrivalOrder] = [:]
    private var claimedIn: [Queue: Int] = [:]
    /// Live and failed keys of each batch.
    private var live: [String: Set<String>] = [:]
    private var failedOf: [String: Set<String>] = [:]
    /// Live assets some channel got no file for (`exceptions` lists them without walking export/).
    private(set) var withExportIssues = Set<String>()

    /// The asset now rests in `queue` (directory name `key`, its id unless failed/ had to add a suffix).
    func put(_ m: Manifest, key: String? = nil, in queue: Queue) {
        removeLive(m.id)
        let e = Self.entry(m, key: key ?? m.id, queue: queue)
        if queue == .failed {
            if let old = failed[e.key] { failedOf[old.batch]?.remove(e.key) }
            failed[e.key] = e
            failedOf[e.batch, default: []].insert(e.key)
        } else {
            entries[e.key] = e
            live[e.batch, default: []].insert(e.key)
            if e.exportNote != nil { withExportIssues.insert(e.key) }
        }
        order[queue, default: ArrivalOrder()].append(e.key)
    }

    /// The manifest changed where the asset is (a view renumbered): same place, same order.
    func update(_ m: Manifest) {
        guard let old = entries[m.id] else { return }
        var e = Self.entry(m, key: old.key, queue: old.queue)
        e.inProgress = old.inProgress
        entries[m.id] = e
        if e.exportNote != nil { withExportIssues.insert(m.id) } else { withExportIssues.remove(m.id) }
        if old.batch != e.batch { live[old.batch]?.remove(m.id); live[e.batch, default: []].insert(m.id) }
    }

    /// The asset moved between queues without a manifest change.
    func move(_ key: String, to queue: Queue) {
        guard var e = entries[key] else { return }
        removeLive(key)
        e.queue = queue
        e.inProgress = nil
        entries[key] = e
        order[queue, default: ArrivalOrder()].append(key)
    }

    /// A step claimed the asset: it stays listed where it was, as in progress.
    func claim(_ key: String, by step: Step) {
        guard var e = entries[key] else { return }
        if e.inProgress == nil { claimedIn[e.queue, default: 0] += 1 }
        e.inProgress = step
        entries[key] = e
    }

    func removeLive(_ key: String) {
        guard let e = entries.removeValue(forKey: key) else { return }
        order[e.queue]?.remove(key)
        live[e.batch]?.remove(key)
        withExportIssues.remove(key)
        if e.inProgress != nil { claimedIn[e.queue, default: 1] -= 1 }
    }

    /// `retry` took the asset out of failed/.
    func removeFailed(_ key: String) {
        guard let e = failed.removeValue(forKey: key) else { return }
        order[.failed]?.remove(key)
        failedOf[e.batch]?.remove(key)
    }

    func entry(_ key: String) -> Entry? { entries[key] ?? failed[key] }

    /// Assets at rest in the queue (those claimed by a step are counted as in progress instead).
    func count(in queue: Queue) -> Int { (order[queue]?.count ?? 0) - (claimedIn[queue] ?? 0) }

    /// Entries of `queue` in the order they arrived there.
    func entries(in queue: Queue) -> [Entry] {
        (order[queue]?.ordered ?? []).compactMap { queue == .failed ? failed[$0] : entries[$0] }
    }

    /// One page: entries of the queues in pipeline order after the one keyed `after`, at most `limit`.
    /// Also returns the key to ask for the next page with, when there is more.
    func page(queues: [Queue], matching keep: (Entry) -> Bool, after: String?, limit: Int?) -> (entries: [Entry], next: String?) {
        var out: [Entry] = []
        var skipping = after != nil
        let limit = max(1, limit ?? Int.max)
        var more = false
        for q in queues where !more {
            order[q]?.forEach { key in
                if skipping { if key == after { skipping = false }; return true }
                guard let e = q == .failed ? failed[key] : entries[key], keep(e) else { return true }
                if out.count == limit { more = true; return false }
                out.append(e)
                return true
            }
        }
        return (out, more ? out.last?.key : nil)
    }

    /// Every entry of one batch, failed ones included.
    func entries(batch: String) -> [Entry] {
        (live[batch] ?? []).compactMap { entries[$0] } + (failedOf[batch] ?? []).compactMap { failed[$0] }
    }

    func forEach(_ body: (Entry) -> Void) {
        for e in entries.values { body(e) }
        for e in failed.values { body(e) }
    }

    var total: Int { entries.count + failed.count }

    static func entry(_ m: Manifest, key: String, queue: Queue) -> Entry {
        let exportNote = m.exportIssues.map { "no file for " + $0.map { "\($0.channel) (\($0.code): \($0.message))" }.joined(separator: "; ") }
        let review = m.review.map {
            ReviewFacts(status: $0.status, sampled: $0.sampled == true, reason: $0.reason, decidedAt: $0.decidedAt,
                        failedGates: $0.gates.filter { !$0.passed }.map(\.gate))
        }
        var sharpness: (String, Double)?
        if let s = m.master?.retouch?.quality?.sharpness, let k = SharpnessHistory.key(m) { sharpness = (k, s) }
        return Entry(key: key, queue: queue, batch: m.batch, sku: m.sku, view: m.view, arrivedAt: m.arrivedAt,
                     sourceName: m.sourceName, failureOf: m.id, failure: m.error.map { ($0.step, $0.message) }, errorCode: m.error?.code,
                     exportNote: exportNote, review: review,
                     flags: m.master?.retouch?.flags ?? [], sharpness: sharpness)
    }

    /// Reads every asset queue once (at start, after reconcile). Manifests that cannot be read are
    /// left out and reported; `visit` sees each manifest read, for start-up work that needs them.
    static func build(layout: Layout, visit: (Manifest, Queue) -> Void = { _, _ in }) -> (AssetIndex, unreadable: [String]) {
        let index = AssetIndex()
        var unreadable: [String] = []
        for q in layout.pipeline.assetQueues {
            for key in layout.assets(in: q) {
                let dir = layout.asset(key, in: q)
                guard let m = try? ManifestStore.read(assetDir: dir) else { unreadable.append(dir); continue }
                index.put(m, key: key, in: q)
                visit(m, q)
            }
        }
        return (index, unreadable)
    }
}
