import ControlProtocol
import Delivery
import Foundation
import Logging
import PipelineCore

/// Deliveries: records on disk per asset and target, jobs on delivery threads, retries with
/// backoff, a signed webhook post each time a batch's delivery state changes. Everything promised
/// is on disk before it is in memory: a kill -9 at any moment loses no delivery, no post, and
/// leaves no multipart upload unfinished on the server. The supervisor calls it from its loop;
/// what it needs to know of the rest of the pipeline (where a batch's assets are) it is told per call.
final class Deliveries {
    /// Where a batch's assets are outside export/: in machine stages, waiting for a person, failed.
    struct BatchProgress {
        var machine = 0
        var review = 0
        var failures: [BatchDeliveryManifest.Failure] = []
    }
    /// The batch's progress, not counting as failed the assets given (exported since).
    typealias ProgressOf = (_ batch: String, _ exported: Set<String>) -> BatchProgress

    static let quietSeconds: Double = 2
    /// A batch gone quiet with assets still in machine stages is looked at again after this.
    static let stillMovingSeconds: Double = 5

    private var settings: DeliverySettings
    private let layout: Layout
    private let store: DeliveryStore
    private let clock: DaemonClock
    private let mailbox: Mailbox
    private let log: Logger
    private let record: (Event) -> Void
    /// Called with a failure that needs a person (a file or post given up on): `status`'s last error.
    var reportFailure: (String) -> Void = { _ in }
    private var index = DeliveryIndex()
    /// Delivery records with work left, by "target/asset"; webhook posts waiting, by "target/batch".
    private var pending: [String: DeliveryRecord] = [:]
    private var pendingPosts: [String: WebhookRecord] = [:]
    private var inFlight = Set<String>()
    /// Batches whose files settled: their webhooks go out once the batch has been quiet a moment.
    private var due: [String: Date] = [:]
    private var credentials: [String: Result<Credentials, DeliveryFailure>] = [:]

    init(settings: DeliverySettings, layout: Layout, clock: DaemonClock, mailbox: Mailbox, log: Logger,
         record: @escaping (Event) -> Void) {
        self.settings = settings
        self.layout = layout
        self.store = DeliveryStore(layout: layout)
        self.clock = clock
        self.mailbox = mailbox
        self.log = log
        self.record = record
    }

    /// No upload or post is running: the daemon waits for this before it exits.
    var idle: Bool { inFlight.isEmpty }

    /// Files per delivery status, for `pipectl status`.
    var counts: [String: Int] { index.counts }
    var failedPosts: Int { index.failedPostCount }
    var countsByTarget: [String: [String: Int]] { index.byTarget.mapValues { c in c.reduce(into: [:]) { $0[$1.key.rawValue] = $1.value } } }

    /// At start: every record goes into the index, every record with work left back into the
    /// queue; multipart uploads a crashed run recorded are aborted, and batches whose posts were
    /// due are due again.
    func start() {
        loadCredentials()
        index = DeliveryIndex()
        store.forEachRecord(targets: settings.fileTargets.map(\.name)) { r in
            index.put(r)
            if !r.isSettled { pending[Self.key(r.target, r.asset)] = r }
            guard let target = settings.targets[r.target], target.kind == .s3, let creds = credentials(target) else { return }
            for item in r.items where item.uploadId != nil {
                log.info("\(r.asset): aborting the unfinished multipart upload of \(item.channel)/\(item.file) to \(r.target) left by an earlier run")
                let job = DeliveryJob(target: target, credentials: creds, owner: r.asset, work: .abort(item), root: layout.root)
                launch(job)
            }
        }
        loadPosts()
        for d in store.allDue() {
            if settings.webhooks.isEmpty { store.removeDue(batch: d.batch) } else { due[d.batch] = d.due }
        }
    }

    /// A reloaded config: secrets read again; targets added or removed have their records read again.
    func reload(_ fresh: DeliverySettings) {
        let targetsChanged = fresh.fileTargets.map(\.name) != settings.fileTargets.map(\.name)
            || fresh.webhooks.map(\.name) != settings.webhooks.map(\.name)
        settings = fresh
        loadCredentials()
        guard targetsChanged else { return }
        index = DeliveryIndex()
        store.forEachRecord(targets: settings.fileTargets.map(\.name)) { index.put($0) }
        loadPosts()
    }

    /// Reads each target's secrets (never logged); a target without them fails its deliveries with the reason.
    private func loadCredentials() {
        credentials = [:]
        for t in settings.targets.values where t.kind != .folder {
            do { credentials[t.name] = .success(try Credentials.load(for: t)) }
            catch let f as DeliveryFailure {
                credentials[t.name] = .failure(f)
                log.error("\(f.reason)")
            } catch {}
        }
    }

    /// After an export: one record per file target, written before the asset moves on.
    func queue(_ m: Manifest) {
        for t in settings.fileTargets {
            let record = DeliveryRecord.forExport(m, target: t, previous: store.read(target: t.name, asset: m.id))
            if record.isSettled { markDue(m.batch) }
            do { try write(record) } catch {
                log.error("cannot record the deliveries of \(m.id) to \(t.name): \(error)")
                continue
            }
            if !record.isSettled { pending[Self.key(t.name, m.id)] = record }
        }
    }

    /// The batch's webhooks are due once it has been quiet a moment: on disk first, then in memory.
    func markDue(_ batch: String) {
        guard !settings.webhooks.isEmpty else { return }
        let at = clock.now().addingTimeInterval(Self.quietSeconds)
        do { try store.write(WebhookDue(batch: batch, due: at)) } catch {
            log.error("cannot record that batch \(batch) is due at its webhooks: \(error)")
        }
        due[batch] = at
    }

    /// Starts due jobs up to `delivery.concurrency`; posts webhooks for batches gone quiet.
    func service(now: Date, progress: ProgressOf) {
        guard !settings.targets.isEmpty else { return }
        var free = settings.concurrency - inFlight.count
        for key in pending.keys.sorted() where free > 0 {
            guard let r = pending[key], let target = settings.targets[r.target] else { continue }
            for item in r.items where free > 0 && item.status == .pending && (item.notBefore ?? .distantPast) <= now {
                let job = DeliveryJob(target: target, credentials: credentials(target) ?? Credentials(), owner: r.asset,
                                      work: .file(item, batch: r.batch, sku: r.sku), root: layout.root)
                guard !inFlight.contains(job.key) else { continue }
                if target.kind == .s3, case .failure(let f)? = credentials[target.name] {
                    settle(job, .failure(f))
                    continue
                }
                launch(job)
                free -= 1
            }
        }
        for (batch, at) in due where at <= now && !pending.values.contains(where: { $0.batch == batch }) {
            due.removeValue(forKey: batch)
            preparePosts(batch: batch, progress: progress)
        }
        for key in pendingPosts.keys.sorted() where free > 0 {
            guard var w = pendingPosts[key], (w.notBefore ?? .distantPast) <= now, let target = settings.targets[w.target] else { continue }
            if w.payload == nil || w.deliveryId == nil {
                // A record from before posts kept their bytes: today's state, kept from now on.
                w = .make(target: w.target, manifest: state(of: w.batch, progress: progress))
                try? write(w)
                pendingPosts[key] = w
            }
            let job = DeliveryJob(target: target, credentials: credentials(target) ?? Credentials(), owner: w.batch,
                                  work: .webhook(Data((w.payload ?? "").utf8), id: w.deliveryId ?? ""), root: layout.root)
            guard !inFlight.contains(job.key) else { continue }
            if case .failure(let f)? = credentials[target.name] { settle(job, .failure(f)); continue }
            launch(job)
            free -= 1
        }
    }

    /// The batch's delivery state now: its records, assets waiting for a person, assets failed before export.
    private func state(of batch: String, progress: ProgressOf) -> BatchDeliveryManifest {
        let p = progress(batch, index.assets(batch: batch))
        return .make(batch: batch, records: index.records(batch: batch), waiting: p.review, assetFailures: p.failures)
    }

    /// A batch gone quiet with no delivery pending: unless assets of it are still in machine stages
    /// (then it is looked at again later), each webhook gets the batch's state, unless it
    /// already has a post of this very state (same delivery id). Then the due record goes.
    private func preparePosts(batch: String, progress: ProgressOf) {
        let p = progress(batch, index.assets(batch: batch))
        guard p.machine == 0 else {
            // Still moving: looked at again in a while (an asset can also leave without a delivery,
            // as a duplicate, say); its own settling or failure makes the batch due sooner.
            due[batch] = clock.now().addingTimeInterval(Self.stillMovingSeconds)
            return
        }
        let state = BatchDeliveryManifest.make(batch: batch, records: index.records(batch: batch), waiting: p.review, assetFailures: p.failures)
        for t in settings.webhooks {
            let key = Self.key(t.name, batch)
            if let old = index.post(target: t.name, batch: batch), old.deliveryId == state.delivery {
                if old.status == .pending, pendingPosts[key] == nil { pendingPosts[key] = store.readWebhook(target: t.name, batch: batch) }
                continue
            }
            let w = WebhookRecord.make(target: t.name, manifest: state)
            do { try write(w) } catch {
                log.error("cannot record the post of batch \(batch) to \(t.name): \(error)")
                return   // the due record stays: tried again at the next start
            }
            pendingPosts[key] = w
            record(Event(event: "webhook-due", step: "deliver",
                         detail: "\(t.name): batch \(batch) \(state.complete ? "complete" : "waiting for \(state.waiting)") (\(state.delivery.prefix(12)))"))
        }
        store.removeDue(batch: batch)
    }


    // MARK: outcomes

    /// A delivery thread's outcome: a multipart upload started is recorded before its parts go;
    /// anything else is settled.
    func finished(_ outcome: DeliveryOutcome) {
        if case .started(let id, let uploadKey) = outcome.upload, case .file(let item, let batch, let sku) = outcome.job.work {
            // The upload id is on disk before any part is sent; the parts keep the job's slot.
            if var r = current(target: outcome.job.target.name, asset: outcome.job.owner),
               let i = r.items.firstIndex(where: { $0.path == item.path && $0.sha256 == item.sha256 }) {
                r.items[i].uploadId = id
                r.items[i].uploadKey = uploadKey
                do {
                    try write(r)
                    if !r.isSettled { pending[Self.key(r.target, r.asset)] = r }
                    var next = outcome.job
                    next.work = .parts(r.items[i], batch: batch, sku: sku)
                    DeliveryRunner.start(next, mailbox: mailbox)
                    return
                } catch {
                    log.error("cannot record the multipart upload of \(item.path) to \(outcome.job.target.name): \(error)")
                }
            }
            // Not recorded: the next attempt finds the upload by its key and aborts it.
            inFlight.remove(outcome.job.key)
            settle(outcome.job, .failure(DeliveryFailure(permanent: false, "could not record the multipart upload; will try again")))
            return
        }
        inFlight.remove(outcome.job.key)
        settle(outcome.job, outcome.result, upload: outcome.upload)
    }

    /// Records what happened: delivered, failed for good, or scheduled again with backoff.
    private func settle(_ job: DeliveryJob, _ result: Result<S3Client.Result, DeliveryFailure>, upload: DeliveryOutcome.Upload = .unchanged) {
        let d = settings
        func apply<A: DeliveryAttempt>(_ a: inout A) {
            let f: DeliveryFailure? = if case .failure(let e) = result { e } else { nil }
            a.record(success: f == nil, failure: f?.reason, permanent: f?.permanent ?? false, maxAttempts: d.maxAttempts) { n in
                Backoff.delay(attempt: n, base: d.backoffSeconds, cap: d.backoffCapSeconds)
            }
        }
        switch job.work {
        case .abort(let item):
            guard upload == .cleared, var r = current(target: job.target.name, asset: job.owner),
                  let i = r.items.firstIndex(where: { $0.path == item.path && $0.uploadId == item.uploadId }) else {
                if case .failure(let f) = result { log.warning("\(job.owner): could not abort an unfinished upload to \(job.target.name): \(f.reason)") }
                return
            }
            r.items[i].uploadId = nil
            r.items[i].uploadKey = nil
            try? write(r)
            if !r.isSettled { pending[Self.key(r.target, r.asset)] = r }
        case .file(let item, _, _), .parts(let item, _, _):
            guard var r = current(target: job.target.name, asset: job.owner),
                  // The same path with other bytes is a newer export: this outcome is not its.
                  let i = r.items.firstIndex(where: { $0.path == item.path && $0.sha256 == item.sha256 }) else { return }
            apply(&r.items[i])
            if case .success(let s) = result { r.items[i].url = s.url; r.items[i].etag = s.etag; r.items[i].alreadyThere = s.alreadyThere }
            if upload == .cleared { r.items[i].uploadId = nil; r.items[i].uploadKey = nil }
            if r.isSettled { markDue(r.batch) }   // on disk before the settled record
            try? write(r)
            let it = r.items[i]
            switch it.status {
            case .delivered: record(Event(event: "delivered", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.channel)/\(it.file)\(it.alreadyThere == true ? " (already there)" : "")"))
            case .failed:
                log.warning("\(job.owner): delivery of \(it.channel)/\(it.file) to \(job.target.name) failed: \(it.error ?? "")")
                reportFailure("\(job.owner): delivery of \(it.channel)/\(it.file) to \(job.target.name) failed: \(it.error ?? "") (see `pipectl deliveries --failed`)")
                record(Event(event: "delivery-failed", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.error ?? "")"))
            case .pending: log.info("\(job.owner): \(it.channel)/\(it.file) to \(job.target.name) will be tried again: \(it.error ?? "")")
            }
            if r.isSettled { pending.removeValue(forKey: Self.key(r.target, r.asset)) } else { pending[Self.key(r.target, r.asset)] = r }
        case .webhook(_, let id):
            let key = Self.key(job.target.name, job.owner)
            // A post of an older state of the batch, replaced while it was on its way, records nothing.
            guard var w = pendingPosts[key] ?? store.readWebhook(target: job.target.name, batch: job.owner),
                  w.deliveryId == id else { return }
            apply(&w)
            try? write(w)
            if w.status == .pending { pendingPosts[key] = w } else { pendingPosts.removeValue(forKey: key) }
            if w.status == .failed {
                log.warning("webhook \(job.target.name) for batch \(job.owner) failed: \(w.error ?? "")")
                reportFailure("webhook \(job.target.name) for batch \(job.owner) failed: \(w.error ?? "") (see `pipectl deliveries --failed`)")
            }
            record(Event(event: w.status == .delivered ? "webhook-delivered" : "webhook-\(w.status.rawValue)", step: "deliver",
                         detail: "\(job.target.name): batch \(job.owner)"))
        }
    }

    // MARK: answers

    /// One page of `pipectl deliveries`, from the index.
    func answer(batch: String?, failedOnly: Bool, limit: Int, after: String?) -> Response {
        let page = index.page(batch: batch, failedOnly: failedOnly, after: after, limit: limit) { settings.targets[$0]?.url }
        var r = Response(ok: true)
        r.deliveries = page.rows
        r.next = page.next
        return r
    }

    /// These exported assets (an asset or a batch): failed and waiting items go again now; an asset
    /// without a record for a target (a target added since) gets one. `name`'s failed posts go again too.
    func redeliver(_ name: String, exported: [Manifest]) -> Response {
        loadCredentials()
        var reset = 0, created = 0
        var batches = Set<String>()
        for m in exported {
            batches.insert(m.batch)
            for t in settings.fileTargets {
                var r = store.read(target: t.name, asset: m.id) ?? { created += 1; return DeliveryRecord.forExport(m, target: t, previous: nil) }()
                for i in r.items.indices where r.items[i].status != .delivered {
                    r.items[i].status = .pending; r.items[i].attempts = 0; r.items[i].notBefore = nil; reset += 1
                }
                try? write(r)
                if !r.isSettled { pending[Self.key(t.name, m.id)] = r }
            }
        }
        for k in index.failedPosts(matching: { $0 == name || batches.contains($0) }) where settings.targets[k.target]?.kind == .webhook {
            guard var fresh = store.readWebhook(target: k.target, batch: k.batch) else { continue }
            fresh.status = .pending; fresh.attempts = 0; fresh.notBefore = nil
            try? write(fresh)
            pendingPosts[Self.key(k.target, k.batch)] = fresh
            reset += 1
        }
        guard !batches.isEmpty || reset > 0 else { return .failure("'\(name)' is neither an exported asset nor a batch with exported assets") }
        for b in batches { markDue(b) }
        record(Event(event: "redeliver", detail: "\(name): \(reset) items again, \(created) new records"))
        return .done("\(name): \(reset) deliveries to try again\(created > 0 ? ", \(created) new records" : "")")
    }

    // MARK: helpers

    private static func key(_ target: String, _ owner: String) -> String { "\(target)/\(owner)" }

    private func credentials(_ t: DeliverySettings.Target) -> Credentials? {
        if case .success(let c)? = credentials[t.name] { return c }
        return nil
    }

    private func launch(_ job: DeliveryJob) {
        inFlight.insert(job.key)
        DeliveryRunner.start(job, mailbox: mailbox)
    }

    /// Every file-delivery record is written through here, and so reaches the index.
    private func write(_ r: DeliveryRecord) throws {
        try store.write(r)
        index.put(r)
    }

    /// Every webhook record is written through here.
    private func write(_ w: WebhookRecord) throws {
        try store.write(w)
        index.put(w)
    }

    /// The record as it stands: waiting in memory, else on disk.
    private func current(target: String, asset: String) -> DeliveryRecord? {
        pending[Self.key(target, asset)] ?? store.read(target: target, asset: asset)
    }

    private func loadPosts() {
        for t in settings.webhooks {
            for w in store.webhooks(target: t.name) {
                index.put(w)
                if w.status == .pending { pendingPosts[Self.key(t.name, w.batch)] = w }
            }
        }
    }
}
