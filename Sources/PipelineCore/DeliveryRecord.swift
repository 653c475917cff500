import Foundation

/// Where one asset's files stand with one target: `deliveries/<target>/<asset>.json`.
/// Written by the supervisor only; the truth across restarts.
public struct DeliveryRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pending, delivered, failed }

    public struct Item: Codable, Sendable, Equatable {
        public var channel: String
        public var file: String
        /// Relative to the root: `export/<channel>/<file>`.
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var status: Status = .pending
        public var url: String?
        public var etag: String?
        public var at: Date?
        public var attempts = 0
        /// A pending item is not tried again before this.
        public var notBefore: Date?
        public var error: String?
        /// True when the target already held these bytes, so nothing was sent.
        public var alreadyThere: Bool?
        /// A multipart upload started for this file and not yet completed or aborted (recorded
        /// before any part is sent): the next attempt, or the next start, aborts it first.
        public var uploadId: String?
        /// The object key that upload was started under.
        public var uploadKey: String?

        public init(channel: String, file: String, path: String, sha256: String, bytes: Int) {
            self.channel = channel; self.file = file; self.path = path; self.sha256 = sha256; self.bytes = bytes
        }
    }

    public var asset: String
    public var batch: String
    public var sku: String
    public var target: String
    public var items: [Item]

    public init(asset: String, batch: String, sku: String, target: String, items: [Item]) {
        self.asset = asset; self.batch = batch; self.sku = sku; self.target = target; self.items = items
    }

    public var isSettled: Bool { items.allSatisfy { $0.status != .pending } }

    /// The record for a fresh export: items already delivered with the same bytes stay delivered.
    public static func forExport(_ m: Manifest, target: DeliverySettings.Target, previous: DeliveryRecord?) -> DeliveryRecord {
        let items = m.outputs.filter { target.takes(channel: $0.channel) }.map { o -> Item in
            let file = (o.path as NSString).lastPathComponent
            if let old = previous?.items.first(where: { $0.path == o.path && $0.sha256 == o.sha256 && $0.status == .delivered }) {
                return old
            }
            return Item(channel: o.channel, file: file, path: o.path, sha256: o.sha256, bytes: o.bytes)
        }
        return DeliveryRecord(asset: m.id, batch: m.batch, sku: m.sku, target: target.name, items: items)
    }
}

/// The delivery records under `<root>/deliveries/`.
public struct DeliveryStore: Sendable {
    public let root: String
    public init(layout: Layout) { root = "\(layout.root)/deliveries" }

    public func path(target: String, asset: String) -> String { "\(root)/\(target)/\(asset).json" }

    public func read(target: String, asset: String) -> DeliveryRecord? { load(path(target: target, asset: asset)) }

    public func write(_ r: DeliveryRecord) throws { try save(r, target: r.target, to: path(target: r.target, asset: r.asset)) }

    func load<T: Decodable>(_ path: String) -> T? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return try? ManifestStore.decoder().decode(T.self, from: data)
    }

    func save<T: Encodable>(_ value: T, target: String, to path: String) throws {
        try FileOps.makeDirectory("\(root)/\(target)")
        try AtomicFile.write(try ManifestStore.encoder().encode(value), to: path)
    }

    /// Every record of these file targets (hidden names skipped).
    public func all(targets: [String]) -> [DeliveryRecord] {
        var out: [DeliveryRecord] = []
        let fm = FileManager.default
        for target in targets.sorted() {
            for file in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(target)")) ?? []).sorted()
            where file.hasSuffix(".json") && !file.hasPrefix(".") {
                if let r = read(target: target, asset: String(file.dropLast(5))) { out.append(r) }
            }
        }
        return out
    }
}

/// Anything delivered with retries: a file at a target, or a batch manifest at a webhook.
public protocol DeliveryAttempt {
    var status: DeliveryRecord.Status { get set }
    var attempts: Int { get set }
    var notBefore: Date? { get set }
    var error: String? { get set }
    var at: Date? { get set }
}

extension DeliveryRecord.Item: DeliveryAttempt {}
extension WebhookRecord: DeliveryAttempt {}

extension DeliveryAttempt {
    /// Counts an attempt: success delivers; a permanent failure, or the last allowed attempt, fails
    /// with the reason; otherwise the next try waits for the backoff.
    public mutating func record(success: Bool, failure: String?, permanent: Bool, maxAttempts: Int, backoff: (Int) -> Double, now: Date = Date()) {
        attempts += 1
        if success {
            status = .delivered; error = nil; at = now; notBefore = nil
        } else if permanent || attempts >= maxAttempts {
            status = .failed; at = now; notBefore = nil
            error = permanent ? failure : "gave up after \(attempts) attempts: \(failure ?? "")"
        } else {
            error = failure
            notBefore = now.addingTimeInterval(backoff(attempts))
        }
    }
}

/// When to try a transiently failed delivery again: doubling from `base`, capped, with jitter.
public enum Backoff {
    public static func delay(attempt: Int, base: Double, cap: Double, random: Double = Double.random(in: 0..<1)) -> Double {
        let raw = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return raw * (0.5 + 0.5 * random)
    }
}

/// A batch's post to one webhook: `deliveries/<webhook>/<batch>.json`. It holds the exact bytes to
/// send, so a post repeated after a crash carries the same delivery id and body.
public struct WebhookRecord: Codable, Sendable, Equatable {
    public var target: String
    public var batch: String
    /// The body last sent (or to send); a changed batch gets a new post, an unchanged one none.
    public var payloadSHA256: String
    /// The body's `delivery` (also sent as `X-Photopipe-Delivery`).
    public var deliveryId: String?
    /// The body itself (UTF-8 JSON); nil in records written before it was kept.
    public var payload: String?
    public var status: DeliveryRecord.Status = .pending
    public var attempts = 0
    public var notBefore: Date?
    public var error: String?
    public var at: Date?
    public init(target: String, batch: String, payloadSHA256: String) {
        self.target = target; self.batch = batch; self.payloadSHA256 = payloadSHA256
    }

    public init(target: String, batch: String, manifest: BatchDeliveryManifest, digest: (Data) -> String = SHA256.hex) {
        let body = manifest.encoded()
        self.init(target: target, batch: batch, payloadSHA256: digest(body))
        deliveryId = manifest.delivery
        payload = String(decoding: body, as: UTF8.self)
    }
}

/// What a webhook receives each time a batch's delivery state changes: whether the batch is
/// complete (every asset through the pipeline, every file at every target that takes it delivered
/// or failed for good), what was delivered where, and what failed with the reason.
public struct BatchDeliveryManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var asset: String
        public var sku: String
        public var channel: String
        public var file: String
        public var target: String
        public var url: String?
        public var sha256: String
        public var bytes: Int
    }
    /// A file that failed for good at a target, or (target nil) an asset that failed before export.
    public struct Failure: Codable, Sendable, Equatable {
        public var asset: String
        public var sku: String
        public var target: String?
        public var channel: String?
        public var file: String
        public var reason: String
        public init(asset: String, sku: String, target: String?, channel: String?, file: String, reason: String) {
            self.asset = asset; self.sku = sku; self.target = target; self.channel = channel; self.file = file; self.reason = reason
        }
    }
    public var event = "batch.delivered"
    /// A hash of everything else in the body: the same batch state gives the same id, so a
    /// receiver de-duplicates by it.
    public var delivery = ""
    public var batch: String
    public var complete: Bool
    /// Assets of the batch still waiting for a person (review); 0 when complete.
    public var waiting: Int
    public var files: [File]
    public var failed: [Failure]

    /// The delivery id is the SHA-256 of the body without it.
    public init(batch: String, records: [DeliveryRecord], waiting: Int = 0, assetFailures: [Failure] = [], digest: (Data) -> String = SHA256.hex) {
        self.batch = batch
        let mine = records.filter { $0.batch == batch }
        files = mine.flatMap { r in
            r.items.filter { $0.status == .delivered }.map {
                File(asset: r.asset, sku: r.sku, channel: $0.channel, file: $0.file, target: r.target, url: $0.url, sha256: $0.sha256, bytes: $0.bytes)
            }
        }.sorted { ($0.target, $0.channel, $0.file, $0.asset) < ($1.target, $1.channel, $1.file, $1.asset) }
        failed = (mine.flatMap { r in
            r.items.filter { $0.status == .failed }.map {
                Failure(asset: r.asset, sku: r.sku, target: r.target, channel: $0.channel, file: $0.file, reason: $0.error ?? "failed")
            }
        } + assetFailures).sorted { ($0.target ?? "", $0.channel ?? "", $0.file, $0.asset) < ($1.target ?? "", $1.channel ?? "", $1.file, $1.asset) }
        self.waiting = waiting
        complete = waiting == 0 && mine.allSatisfy(\.isSettled)
        delivery = ""
        delivery = digest(encoded())
    }

    /// Sorted keys, no dates: the same batch state gives the same bytes (and id).
    public func encoded() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)) ?? Data()
    }
}

/// A batch whose webhooks are due: `deliveries/.due/<batch>.json`, written (atomically) when its
/// files settle and before the supervisor waits for the batch to go quiet; removed once each
/// webhook's record holds the post. Loaded at start, so a crash in between loses no post.
public struct WebhookDue: Codable, Sendable, Equatable {
    public var batch: String
    public var due: Date
    public init(batch: String, due: Date) { self.batch = batch; self.due = due }
}

extension DeliveryStore {
    public var dueDirectory: String { "\(root)/.due" }
    public func duePath(batch: String) -> String { "\(dueDirectory)/\(Sanitizer.component(batch, fallback: "batch")).json" }
    public func write(_ d: WebhookDue) throws { try save(d, target: ".due", to: duePath(batch: d.batch)) }
    public func readDue(batch: String) -> WebhookDue? { load(duePath(batch: batch)) }
    public func removeDue(batch: String) { unlink(duePath(batch: batch)) }
    public func allDue() -> [WebhookDue] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dueDirectory)) ?? []).sorted()
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { load("\(dueDirectory)/\($0)") }
    }
}

extension DeliveryStore {
    public func webhookPath(target: String, batch: String) -> String {
        "\(root)/\(target)/\(Sanitizer.component(batch, fallback: "batch")).json"
    }
    public func readWebhook(target: String, batch: String) -> WebhookRecord? { load(webhookPath(target: target, batch: batch)) }
    public func write(_ r: WebhookRecord) throws { try save(r, target: r.target, to: webhookPath(target: r.target, batch: r.batch)) }
    public func webhooks(target: String) -> [WebhookRecord] {
        let dir = "\(root)/\(target)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { load("\(dir)/\($0)") }
    }
}
