import ControlProtocol
import Foundation
import PipelineCore
import Review

/// What the daemon knows about every asset, in memory: where it is and what a person asks about
/// it. Kept current by the transitions and rebuilt by reconcile, so `status`, `list`, `review`,
/// `exceptions`, `batches` and the contact sheets never read every manifest on disk.
final class AssetIndex {
    struct Entry {
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
        /// A generated variant's source asset.
        var variantOf: String?
    }

    /// The parts of a review record that answers and sample tallies use.
    struct ReviewFacts: Equatable {
        var status: ReviewStatus
        var sampled: Bool
        var reason: String?
        var decidedAt: Date?
        var failedGates: [String]
    }

    /// One batch, kept as assets come and go: `batches` and `review` answer from these.
    struct BatchStats {
        /// Assets at rest per queue; those a step is working on are counted apart.
        var atRest: [Queue: Int] = [:]
        var inProgress = 0
        var firstArrival: Date?
        var lastArrival: Date?
        var review: ReviewSummary

        init(batch: String) { review = ReviewSummary(batch: batch) }
    }

    /// Queues whose assets review has decided on (they count in the batch's review summary).
    private let reviewedQueues: Set<Queue>
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
    private(set) var batches: [String: BatchStats] = [:]

    init(reviewedQueues: Set<Queue>) { self.reviewedQueues = reviewedQueues }

    /// The asset now rests in `queue` (directory name `key`, its id unless failed/ had to add a suffix).
    func put(_ m: Manifest, key: String? = nil, in queue: Queue) {
        removeLive(m.id)
        insert(m, key: key ?? m.id, in: queue)
    }

    /// Adds what is on disk at `queue/key`, leaving the asset's other places alone (failed/ may
    /// hold an older failure of an asset that lives on).
    func insert(_ m: Manifest, key: String, in queue: Queue) {
        let e = Self.entry(m, key: key, queue: queue)
        if queue != .failed, let old = entries[key] { order[old.queue]?.remove(key) }
        store(e)
        order[queue, default: ArrivalOrder()].append(key)
    }

    /// The manifest changed where the asset is (a view renumbered): same place, same order.
    func update(_ m: Manifest) {
        guard let old = entries[m.id] else { return }
        var e = Self.entry(m, key: old.key, queue: old.queue)
        e.inProgress = old.inProgress
        store(e)
    }

    /// The asset moved between queues without a manifest change.
    func move(_ key: String, to queue: Queue) {
        guard var e = entries[key] else { return }
        order[e.queue]?.remove(key)
        e.queue = queue
        e.inProgress = nil
        store(e)
        order[queue, default: ArrivalOrder()].append(key)
    }

    /// A step claimed the asset: it stays listed where it was, as in progress.
    func claim(_ key: String, by step: Step) {
        guard var e = entries[key] else { return }
        e.inProgress = step
        store(e)
    }

    func removeLive(_ key: String) {
        guard let e = entries.removeValue(forKey: key) else { return }
        account(e, -1)
        order[e.queue]?.remove(key)
    }

    /// `retry` took the asset out of failed/.
    func removeFailed(_ key: String) {
        guard let e = failed.removeValue(forKey: key) else { return }
        account(e, -1)
        order[.failed]?.remove(key)
    }

    /// Puts `e` in place of any entry with its key (ordering is the caller's).
    private func store(_ e: Entry) {
        let isFailed = e.queue == .failed
        if let old = isFailed ? failed[e.key] : entries[e.key] { account(old, -1) }
        if isFailed { failed[e.key] = e } else { entries[e.key] = e }
        account(e, 1)
    }

    /// Adds (+1) or takes back (−1) what one entry contributes to the sets and counts.
    private func account(_ e: Entry, _ sign: Int) {
        let adding = sign > 0
        if e.queue == .failed {
            if adding { failedOf[e.batch, default: []].insert(e.key) } else { failedOf[e.batch]?.remove(e.key) }
        } else {
            if adding { live[e.batch, default: []].insert(e.key) } else { live[e.batch]?.remove(e.key) }
            if e.exportNote != nil { if adding { withExportIssues.insert(e.key) } else { withExportIssues.remove(e.key) } }
        }
        var b = batches[e.batch] ?? BatchStats(batch: e.batch)
        if e.inProgress != nil {
            claimedIn[e.queue, default: 0] += sign
            b.inProgress += sign
        } else {
            b.atRest[e.queue, default: 0] += sign
            if b.atRest[e.queue] == 0 { b.atRest[e.queue] = nil }
        }
        if adding {
            b.firstArrival = min(b.firstArrival ?? e.arrivedAt, e.arrivedAt)
            b.lastArrival = max(b.lastArrival ?? e.arrivedAt, e.arrivedAt)
        }
        if let rec = e.review, reviewedQueues.contains(e.queue) {
            var r = b.review
            r.total += sign
            for g in rec.failedGates {
                r.gateFailures[g, default: 0] += sign
                if r.gateFailures[g] == 0 { r.gateFailures[g] = nil }
            }
            if rec.sampled { r.sampled += sign }
            if !rec.failedGates.isEmpty { r.exceptions += sign }
            switch rec.status {
            case .autoApproved: r.autoApproved += sign
            case .approved: r.approvedByPerson += sign
            case .rejected: r.rejected += sign
            default: break
            }
            if e.queue == .review { r.waiting += sign }
            b.review = r
        }
        batches[e.batch] = b
    }

    func entry(_ key: String) -> Entry? { entries[key] ?? failed[key] }

    /// The assets a person's name for one may mean: the id itself, else the ids made from that file
    /// name (`SKU-1009_02` → `SKU-1009_02-3f9a0c1d2e`), else the ids it begins.
    func keys(named name: String) -> [String] {
        if entry(name) != nil { return [name] }
        let all = Array(entries.keys) + Array(failed.keys)
        let stem = all.filter { $0.hasPrefix(name + "-") && !$0.dropFirst(name.count + 1).contains("-") }
        if !stem.isEmpty { return stem.sorted() }
        return all.filter { $0.hasPrefix(name) }.sorted()
    }

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

    /// The entry that has waited longest in `queue` (in queue order), for `/metrics`.
    func oldest(in queue: Queue) -> Entry? {
        var found: Entry?
        order[queue]?.forEach { key in
            found = queue == .failed ? failed[key] : entries[key]
            return found == nil
        }
        return found
    }

    /// Every entry of one batch, failed ones included.
    func entries(batch: String) -> [Entry] {
        (live[batch] ?? []).compactMap { entries[$0] } + (failedOf[batch] ?? []).compactMap { failed[$0] }
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
                     flags: m.master?.retouch?.flags ?? [], sharpness: sharpness, variantOf: m.variantOf)
    }

    /// Reads every asset queue once (at start, after reconcile), the manifests decoded on every
    /// core. Manifests that cannot be read are left out and reported; `visit` sees each one read,
    /// in queue order, for start-up work that needs them.
    static func build(layout: Layout, reviewedQueues: Set<Queue>,
                      visit: (Manifest, Queue) -> Void = { _, _ in }) -> (AssetIndex, unreadable: [String]) {
        let index = AssetIndex(reviewedQueues: reviewedQueues)
        let dirs = layout.pipeline.assetQueues.flatMap { q in layout.assets(in: q).map { (queue: q, key: $0) } }
        var unreadable: [String] = []
        // A block at a time, so only a block of whole manifests is ever held in memory.
        let block = 2048, chunk = 128
        for start in stride(from: 0, to: dirs.count, by: block) {
            let part = Array(dirs[start..<min(dirs.count, start + block)])
            var read = [Manifest?](repeating: nil, count: part.count)
            read.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                DispatchQueue.concurrentPerform(iterations: (part.count + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(part.count, (c + 1) * chunk) {
                        out[i] = try? ManifestStore.read(assetDir: layout.asset(part[i].key, in: part[i].queue))
                    }
                }
            }
            for (i, d) in part.enumerated() {
                guard let m = read[i] else { unreadable.append(layout.asset(d.key, in: d.queue)); continue }
                index.insert(m, key: d.key, in: d.queue)
                visit(m, d.queue)
            }
        }
        return (index, unreadable)
    }
}
