import ControlProtocol
import Foundation
import PipelineCore

/// What `pipectl deliveries`, `status` and a batch's webhook post need from every delivery record,
/// kept in memory: filled from the records read at start, then updated by every record written,
/// so none of those answers reads the disk. One entry per file target and asset, one post per
/// webhook and batch.
struct DeliveryIndex {
    /// One file of a record: what the answer shows and what a post lists. The record's path,
    /// etag, backoff and upload ids stay on disk (and in the pending records).
    struct File {
        var channel: String
        var file: String
        var sha256: PackedDigest
        var bytes: Int
        var status: DeliveryRecord.Status
        var attempts: Int
        var at: Date?
        var url: String?
        var error: String?
    }

    struct Entry {
        var batch: String
        var sku: String
        var files: [File]
    }

    struct Post {
        var status: DeliveryRecord.Status
        var attempts: Int
        var at: Date?
        var error: String?
        var deliveryId: String?
    }

    /// A record's place in the answer: by target, then asset (as the directories list them).
    struct Key: Hashable, Comparable {
        var target: String
        var asset: String
        static func < (a: Key, b: Key) -> Bool { (a.target, a.asset) < (b.target, b.asset) }
    }

    /// A post's place: after every file, by webhook, then batch.
    struct PostKey: Hashable, Comparable {
        var target: String
        var batch: String
        static func < (a: PostKey, b: PostKey) -> Bool { (a.target, a.batch) < (b.target, b.batch) }
    }

    private var entries: [Key: Entry] = [:]
    /// Every key, sorted: a page starts with a binary search.
    private var order: [Key] = []
    private var byBatch: [String: Set<Key>] = [:]
    private var withFailures = Set<Key>()
    private var totals: [DeliveryRecord.Status: Int] = [:]
    /// Files per target and status, for `/metrics`.
    private(set) var byTarget: [String: [DeliveryRecord.Status: Int]] = [:]
    private var posts: [PostKey: Post] = [:]

    var recordCount: Int { entries.count }

    mutating func put(_ r: DeliveryRecord) {
        let key = Key(target: r.target, asset: r.asset)
        if let old = entries[key] {
            for f in old.files { totals[f.status, default: 0] -= 1; byTarget[r.target, default: [:]][f.status, default: 0] -= 1 }
            byBatch[old.batch]?.remove(key)
        } else {
            order.insert(key, at: order.firstIndex(notBelow: key))
        }
        let files = r.items.map {
            File(channel: $0.channel, file: $0.file, sha256: PackedDigest($0.sha256), bytes: $0.bytes, status: $0.status,
                 attempts: $0.attempts, at: $0.at, url: $0.url, error: $0.error)
        }
        entries[key] = Entry(batch: r.batch, sku: r.sku, files: files)
        for f in files { totals[f.status, default: 0] += 1; byTarget[r.target, default: [:]][f.status, default: 0] += 1 }
        byBatch[r.batch, default: []].insert(key)
        if files.contains(where: { $0.status == .failed }) { withFailures.insert(key) } else { withFailures.remove(key) }
    }

    mutating func put(_ w: WebhookRecord) {
        posts[PostKey(target: w.target, batch: w.batch)] =
            Post(status: w.status, attempts: w.attempts, at: w.at, error: w.error, deliveryId: w.deliveryId)
    }

    func post(target: String, batch: String) -> Post? { posts[PostKey(target: target, batch: batch)] }

    /// Posts that failed for good, of the batches `matching`.
    func failedPosts(matching keep: (String) -> Bool) -> [PostKey] {
        posts.filter { $0.value.status == .failed && keep($0.key.batch) }.map(\.key).sorted()
    }

    var failedPostCount: Int { posts.values.reduce(0) { $0 + ($1.status == .failed ? 1 : 0) } }

    /// Files per delivery status (only those with any), for `pipectl status`.
    var counts: [String: Int] {
        totals.reduce(into: [:]) { c, t in if t.value > 0 { c[t.key.rawValue] = t.value } }
    }

    /// The assets of the batch with a delivery record.
    func assets(batch: String) -> Set<String> { Set((byBatch[batch] ?? []).map(\.asset)) }

    /// The batch's records as a post describes them (what each file is, where it stands).
    func records(batch: String) -> [DeliveryRecord] {
        (byBatch[batch] ?? []).sorted().compactMap { key in
            entries[key].map { e in
                DeliveryRecord(asset: key.asset, batch: e.batch, sku: e.sku, target: key.target, items: e.files.map { f in
                    var i = DeliveryRecord.Item(channel: f.channel, file: f.file, path: "export/\(f.channel)/\(f.file)", sha256: f.sha256.hex, bytes: f.bytes)
                    i.status = f.status; i.attempts = f.attempts; i.at = f.at; i.url = f.url; i.error = f.error
                    return i
                })
            }
        }
    }
}

extension DeliveryIndex {
    /// A row's name for `--after`: `target/asset/channel/file`, or `webhook/-/batch` for a post.
    static func cursor(_ key: Key, _ f: File) -> String { "\(key.target)/\(key.asset)/\(f.channel)/\(f.file)" }
    static func cursor(_ key: PostKey) -> String { "\(key.target)/-/\(key.batch)" }

    /// One page of `pipectl deliveries`: file rows by target and asset, then the webhook posts;
    /// `next` names the last row when there is more. A cursor whose row has gone since still
    /// places the page (the order is by name, not by position).
    func page(batch: String?, failedOnly: Bool, after: String?, limit: Int,
              webhookURL: (String) -> String?) -> (rows: [DeliverySummary], next: String?) {
        var rows: [DeliverySummary] = []
        var last = ""
        let limit = max(1, limit)
        let parts = after.map { $0.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) }
        let afterPost = parts.flatMap { $0.count == 3 && $0[1] == "-" ? PostKey(target: $0[0], batch: $0[2]) : nil }
        let afterFile = parts.flatMap { $0.count == 3 && $0[1] != "-" ? (key: Key(target: $0[0], asset: $0[1]), file: $0[2]) : nil }

        var keys: [Key]
        switch (batch, failedOnly) {
        case (nil, false): keys = order
        case (nil, true): keys = withFailures.sorted()
        case (let b?, _): keys = (byBatch[b] ?? []).filter { !failedOnly || withFailures.contains($0) }.sorted()
        }
        var start = 0
        if afterPost != nil { start = keys.count } else if let a = afterFile { start = keys.firstIndex(notBelow: a.key) }
        for key in keys[start...] {
            guard let e = entries[key] else { continue }
            var files = e.files[...]
            if let a = afterFile, a.key == key {
                files = files.firstIndex { "\($0.channel)/\($0.file)" == a.file }.map { e.files[($0 + 1)...] } ?? files
            }
            for f in files where !failedOnly || f.status == .failed {
                if rows.count == limit { return (rows, last) }
                rows.append(DeliverySummary(target: key.target, asset: key.asset, batch: e.batch, file: "\(f.channel)/\(f.file)",
                                            status: f.status.rawValue, attempts: f.attempts, url: f.url, error: f.error, at: f.at))
                last = Self.cursor(key, f)
            }
        }
        let postKeys = posts.keys.filter { k in
            (batch == nil || k.batch == batch) && (!failedOnly || posts[k]?.status == .failed) && afterPost.map { $0 < k } ?? true
        }.sorted()
        for k in postKeys {
            guard let p = posts[k] else { continue }
            if rows.count == limit { return (rows, last) }
            rows.append(DeliverySummary(target: k.target, asset: "-", batch: k.batch, file: "batch manifest", status: p.status.rawValue,
                                        attempts: p.attempts, url: webhookURL(k.target), error: p.error, at: p.at))
            last = Self.cursor(k)
        }
        return (rows, nil)
    }
}

extension Array where Element: Comparable {
    /// The first index whose element is not less than `x` (the array sorted).
    func firstIndex(notBelow x: Element) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
