import ControlProtocol
import Delivery
import Foundation
import PipelineCore

/// Deliveries: records on disk per asset and target, jobs on delivery threads, retries with
/// backoff, a signed webhook post each time a batch's delivery state changes. Everything promised
/// is on disk before it is in memory: a kill -9 at any moment loses no delivery, no post, and
/// leaves no multipart upload unfinished on the server.
extension Supervisor {
    var deliveryStore: DeliveryStore { DeliveryStore(layout: layout) }

    /// Reads each target's secrets (never logged); a target without them fails its deliveries with the reason.
    func loadDeliveryCredentials() {
        targetCredentials = [:]
        for t in config.delivery.targets.values where t.kind != .folder {
            do { targetCredentials[t.name] = .success(try Credentials.load(for: t)) }
            catch let f as DeliveryFailure {
                targetCredentials[t.name] = .failure(f)
                log.error("\(f.reason)")
            } catch {}
        }
    }

    /// At start: every record with work left goes back into the queue, multipart uploads a crashed
    /// run recorded are aborted, and batches whose posts were due are due again.
    func loadPendingDeliveries() {
        loadDeliveryCredentials()
        for r in deliveryStore.all(targets: config.delivery.fileTargets.map(\.name)) {
            if !r.isSettled { pendingDeliveries["\(r.target)/\(r.asset)"] = r }
            guard let target = config.delivery.targets[r.target], target.kind == .s3, let creds = credentials(target) else { continue }
            for item in r.items where item.uploadId != nil {
                log.info("\(r.asset): aborting the unfinished multipart upload of \(item.channel)/\(item.file) to \(r.target) left by an earlier run")
                let job = DeliveryJob(target: target, credentials: creds, owner: r.asset, work: .abort(item), root: layout.root)
                deliveriesInFlight.insert(job.key)
                DeliveryRunner.start(job, mailbox: mailbox)
            }
        }
        for t in config.delivery.webhooks {
            for w in deliveryStore.webhooks(target: t.name) where w.status == .pending { pendingWebhooks["\(t.name)/\(w.batch)"] = w }
        }
        for d in deliveryStore.allDue() {
            if config.delivery.webhooks.isEmpty { deliveryStore.removeDue(batch: d.batch) } else { webhookDue[d.batch] = d.due }
        }
    }

    /// The batch's webhooks are due once it has been quiet a moment: on disk first, then in memory.
    func markWebhookDue(_ batch: String) {
        guard !config.delivery.webhooks.isEmpty else { return }
        let due = clock.now().addingTimeInterval(webhookQuietSeconds)
        do { try deliveryStore.write(WebhookDue(batch: batch, due: due)) } catch {
            log.error("cannot record that batch \(batch) is due at its webhooks: \(error)")
        }
        webhookDue[batch] = due
    }

    /// After an export: one record per file target, written before the asset moves on.
    func queueDeliveries(_ m: Manifest) {
        for t in config.delivery.fileTargets {
            let record = DeliveryRecord.forExport(m, target: t, previous: deliveryStore.read(target: t.name, asset: m.id))
            if record.isSettled { markWebhookDue(m.batch) }
            do { try writeDelivery(record) } catch {
                log.error("cannot record the deliveries of \(m.id) to \(t.name): \(error)")
                continue
            }
            if !record.isSettled { pendingDeliveries["\(t.name)/\(m.id)"] = record }
        }
    }

    var webhookQuietSeconds: Double { 2 }

    /// Starts due jobs up to `delivery.concurrency`; posts webhooks for batches gone quiet.
    func serviceDeliveries(_ now: Date) {
        guard !config.delivery.targets.isEmpty else { return }
        var free = config.delivery.concurrency - deliveriesInFlight.count
        for key in pendingDeliveries.keys.sorted() where free > 0 {
            guard let r = pendingDeliveries[key], let target = config.delivery.targets[r.target] else { continue }
            for item in r.items where free > 0 && item.status == .pending && (item.notBefore ?? .distantPast) <= now {
                let job = DeliveryJob(target: target, credentials: credentials(target) ?? Credentials(), owner: r.asset,
                                      work: .file(item, batch: r.batch, sku: r.sku), root: layout.root)
                guard !deliveriesInFlight.contains(job.key) else { continue }
                if target.kind == .s3, case .failure(let f)? = targetCredentials[target.name] {
                    settle(job, .failure(f))
                    continue
                }
                deliveriesInFlight.insert(job.key)
                DeliveryRunner.start(job, mailbox: mailbox)
                free -= 1
            }
        }
        for (batch, due) in webhookDue where due <= now && !pendingDeliveries.values.contains(where: { $0.batch == batch }) {
            webhookDue.removeValue(forKey: batch)
            prepareWebhooks(batch: batch)
        }
        for key in pendingWebhooks.keys.sorted() where free > 0 {
            guard var w = pendingWebhooks[key], (w.notBefore ?? .distantPast) <= now, let target = config.delivery.targets[w.target] else { continue }
            if w.payload == nil || w.deliveryId == nil {
                // A record from before posts kept their bytes: today's state, kept from now on.
                w = .make(target: w.target, manifest: batchState(w.batch))
                try? deliveryStore.write(w)
                pendingWebhooks[key] = w
            }
            let job = DeliveryJob(target: target, credentials: credentials(target) ?? Credentials(), owner: w.batch,
                                  work: .webhook(Data((w.payload ?? "").utf8), id: w.deliveryId ?? ""), root: layout.root)
            guard !deliveriesInFlight.contains(job.key) else { continue }
            if case .failure(let f)? = targetCredentials[target.name] { settle(job, .failure(f)); continue }
            deliveriesInFlight.insert(job.key)
            DeliveryRunner.start(job, mailbox: mailbox)
            free -= 1
        }
    }

    func credentials(_ t: DeliverySettings.Target) -> Credentials? {
        if case .success(let c)? = targetCredentials[t.name] { return c }
        return nil
    }

    func records(batch: String) -> [DeliveryRecord] {
        deliveryStore.all(targets: config.delivery.fileTargets.map(\.name)).filter { $0.batch == batch }
    }

    /// The batch's delivery state now: its records, assets waiting for a person, assets failed before export.
    func batchState(_ batch: String) -> BatchDeliveryManifest {
        let recs = records(batch: batch)
        let p = batchProgress(batch, exported: Set(recs.map(\.asset)))
        return .make(batch: batch, records: recs, waiting: p.review, assetFailures: p.failures)
    }

    /// Where a batch's assets are outside export/: still in machine stages (inbox, queues, workers),
    /// waiting in review for a person, or failed (not counting assets exported since).
    func batchProgress(_ batch: String, exported: Set<String>) -> (machine: Int, review: Int, failures: [BatchDeliveryManifest.Failure]) {
        var machine = 0, review = 0
        var upstream = Set<String>()
        let assets = index.entries(batch: batch)
        for e in assets where e.queue != .failed && e.queue != pipeline.done {
            // In progress counts as machine work wherever it was claimed from.
            if e.queue == .review && e.inProgress == nil { review += 1 } else { machine += 1 }
            upstream.insert(e.key)
        }
        for job in pool.jobs where job.inbox?.batch == batch { machine += 1 }
        machine += intake.waitingPerBatch()[batch] ?? 0
        var failures: [BatchDeliveryManifest.Failure] = []
        var seen = Set<String>()
        for e in assets.sorted(by: { $0.key < $1.key }) where e.queue == .failed {
            // failed/ may name an older failure "<id>-2": the asset is the manifest's id.
            let id = e.failureOf
            guard !exported.contains(id), !upstream.contains(id), seen.insert(id).inserted else { continue }
            failures.append(.init(asset: id, sku: e.sku, target: nil, channel: nil, file: e.sourceName,
                                  reason: e.failure.map { "\($0.step): \($0.message)" } ?? "failed"))
        }
        return (machine, review, failures)
    }

    /// A batch gone quiet with no delivery pending: unless assets of it are still in machine stages
    /// (then it is looked at again later), each webhook gets the batch's state, unless it
    /// already has a post of this very state (same delivery id). Then the due record goes.
    func prepareWebhooks(batch: String) {
        let recs = records(batch: batch)
        let p = batchProgress(batch, exported: Set(recs.map(\.asset)))
        guard p.machine == 0 else {
            // Still moving: looked at again in a while (an asset can also leave without a delivery,
            // as a duplicate, say); its own settling or failure makes the batch due sooner.
            webhookDue[batch] = clock.now().addingTimeInterval(5)
            return
        }
        let state = BatchDeliveryManifest.make(batch: batch, records: recs, waiting: p.review, assetFailures: p.failures)
        for t in config.delivery.webhooks {
            let key = "\(t.name)/\(batch)"
            if let old = deliveryStore.readWebhook(target: t.name, batch: batch), old.deliveryId == state.delivery {
                if old.status == .pending { pendingWebhooks[key] = pendingWebhooks[key] ?? old }
                continue
            }
            let w = WebhookRecord.make(target: t.name, manifest: state)
            do { try deliveryStore.write(w) } catch {
                log.error("cannot record the post of batch \(batch) to \(t.name): \(error)")
                return   // the due record stays: tried again at the next start
            }
            pendingWebhooks[key] = w
            record(Event(event: "webhook-due", step: "deliver",
                         detail: "\(t.name): batch \(batch) \(state.complete ? "complete" : "waiting for \(state.waiting)") (\(state.delivery.prefix(12)))"))
        }
        deliveryStore.removeDue(batch: batch)
    }

    func deliveryFinished(_ outcome: DeliveryOutcome) {
        if case .started(let id, let uploadKey) = outcome.upload, case .file(let item, let batch, let sku) = outcome.job.work {
            // The upload id is on disk before any part is sent; the parts keep the job's slot.
            let key = "\(outcome.job.target.name)/\(outcome.job.owner)"
            if var r = pendingDeliveries[key] ?? deliveryStore.read(target: outcome.job.target.name, asset: outcome.job.owner),
               let i = r.items.firstIndex(where: { $0.path == item.path && $0.sha256 == item.sha256 }) {
                r.items[i].uploadId = id
                r.items[i].uploadKey = uploadKey
                do {
                    try writeDelivery(r)
                    if !r.isSettled { pendingDeliveries[key] = r }
                    var next = outcome.job
                    next.work = .parts(r.items[i], batch: batch, sku: sku)
                    DeliveryRunner.start(next, mailbox: mailbox)
                    return
                } catch {
                    log.error("cannot record the multipart upload of \(item.path) to \(outcome.job.target.name): \(error)")
                }
            }
            // Not recorded: the next attempt finds the upload by its key and aborts it.
            deliveriesInFlight.remove(outcome.job.key)
            settle(outcome.job, .failure(DeliveryFailure(permanent: false, "could not record the multipart upload; will try again")))
            return
        }
        deliveriesInFlight.remove(outcome.job.key)
        settle(outcome.job, outcome.result, upload: outcome.upload)
    }

    /// Records what happened: delivered, failed for good, or scheduled again with backoff.
    func settle(_ job: DeliveryJob, _ result: Result<S3Client.Result, DeliveryFailure>, upload: DeliveryOutcome.Upload = .unchanged) {
        let d = config.delivery
        func apply<A: DeliveryAttempt>(_ a: inout A) {
            let f: DeliveryFailure? = if case .failure(let e) = result { e } else { nil }
            a.record(success: f == nil, failure: f?.reason, permanent: f?.permanent ?? false, maxAttempts: d.maxAttempts) { n in
                Backoff.delay(attempt: n, base: d.backoffSeconds, cap: d.backoffCapSeconds)
            }
        }
        switch job.work {
        case .abort(let item):
            let key = "\(job.target.name)/\(job.owner)"
            guard upload == .cleared, var r = pendingDeliveries[key] ?? deliveryStore.read(target: job.target.name, asset: job.owner),
                  let i = r.items.firstIndex(where: { $0.path == item.path && $0.uploadId == item.uploadId }) else {
                if case .failure(let f) = result { log.warning("\(job.owner): could not abort an unfinished upload to \(job.target.name): \(f.reason)") }
                return
            }
            r.items[i].uploadId = nil
            r.items[i].uploadKey = nil
            try? writeDelivery(r)
            if !r.isSettled { pendingDeliveries[key] = r }
        case .file(let item, _, _), .parts(let item, _, _):
            let key = "\(job.target.name)/\(job.owner)"
            guard var r = pendingDeliveries[key] ?? deliveryStore.read(target: job.target.name, asset: job.owner),
                  // The same path with other bytes is a newer export: this outcome is not its.
                  let i = r.items.firstIndex(where: { $0.path == item.path && $0.sha256 == item.sha256 }) else { return }
            apply(&r.items[i])
            if case .success(let s) = result { r.items[i].url = s.url; r.items[i].etag = s.etag; r.items[i].alreadyThere = s.alreadyThere }
            if upload == .cleared { r.items[i].uploadId = nil; r.items[i].uploadKey = nil }
            if r.isSettled { markWebhookDue(r.batch) }   // on disk before the settled record
            try? writeDelivery(r)
            let it = r.items[i]
            switch it.status {
            case .delivered: record(Event(event: "delivered", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.channel)/\(it.file)\(it.alreadyThere == true ? " (already there)" : "")"))
            case .failed:
                log.warning("\(job.owner): delivery of \(it.channel)/\(it.file) to \(job.target.name) failed: \(it.error ?? "")")
                record(Event(event: "delivery-failed", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.error ?? "")"))
            case .pending: log.info("\(job.owner): \(it.channel)/\(it.file) to \(job.target.name) will be tried again: \(it.error ?? "")")
            }
            if r.isSettled { pendingDeliveries.removeValue(forKey: key) } else { pendingDeliveries[key] = r }
        case .webhook(_, let id):
            let key = "\(job.target.name)/\(job.owner)"
            // A post of an older state of the batch, replaced while it was on its way, records nothing.
            guard var w = pendingWebhooks[key] ?? deliveryStore.readWebhook(target: job.target.name, batch: job.owner),
                  w.deliveryId == id else { return }
            apply(&w)
            try? deliveryStore.write(w)
            if w.status == .pending { pendingWebhooks[key] = w } else { pendingWebhooks.removeValue(forKey: key) }
            if w.status == .failed { log.warning("webhook \(job.target.name) for batch \(job.owner) failed: \(w.error ?? "")") }
            record(Event(event: w.status == .delivered ? "webhook-delivered" : "webhook-\(w.status.rawValue)", step: "deliver",
                         detail: "\(job.target.name): batch \(job.owner)"))
        }
    }

    // MARK: control

    func deliveries(batch: String?, failedOnly: Bool) -> Response {
        var out: [DeliverySummary] = []
        for r in deliveryStore.all(targets: config.delivery.fileTargets.map(\.name)) where batch == nil || r.batch == batch {
            for i in r.items where !failedOnly || i.status == .failed {
                out.append(DeliverySummary(target: r.target, asset: r.asset, batch: r.batch, file: "\(i.channel)/\(i.file)",
                                           status: i.status.rawValue, attempts: i.attempts, url: i.url, error: i.error, at: i.at))
            }
        }
        for t in config.delivery.webhooks {
            for w in deliveryStore.webhooks(target: t.name) where (batch == nil || w.batch == batch) && (!failedOnly || w.status == .failed) {
                out.append(DeliverySummary(target: t.name, asset: "-", batch: w.batch, file: "batch manifest", status: w.status.rawValue,
                                           attempts: w.attempts, url: t.url, error: w.error, at: w.at))
            }
        }
        var r = Response(ok: true)
        r.deliveries = out
        return r
    }

    /// Files per delivery status, for `pipectl status`: counted from the records once, then kept
    /// current by `writeDelivery`, so a status poll reads no files.
    var deliveryCounts: [String: Int] {
        if deliveryTally == nil {
            var t: [String: [String: Int]] = [:]
            for r in deliveryStore.all(targets: config.delivery.fileTargets.map(\.name)) { t["\(r.target)/\(r.asset)"] = Self.statusCounts(r) }
            deliveryTally = t
        }
        var c: [String: Int] = [:]
        for counts in deliveryTally!.values { c.merge(counts, uniquingKeysWith: +) }
        return c
    }

    static func statusCounts(_ r: DeliveryRecord) -> [String: Int] {
        r.items.reduce(into: [:]) { $0[$1.status.rawValue, default: 0] += 1 }
    }

    /// Every file-delivery record is written through here.
    func writeDelivery(_ r: DeliveryRecord) throws {
        try deliveryStore.write(r)
        deliveryTally?["\(r.target)/\(r.asset)"] = Self.statusCounts(r)
    }

    /// An asset or a batch: failed and waiting items go again now; exported assets without a record
    /// for a target (a target added since) get one.
    func redeliver(_ name: String?) -> Response {
        guard let name, Sanitizer.component(name) == name else { return .failure("name an asset id or a batch (see `pipectl deliveries`)") }
        loadDeliveryCredentials()
        var reset = 0, created = 0
        var batches = Set<String>()
        for e in index.entries(in: pipeline.done) where e.key == name || e.batch == name {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(e.key, in: pipeline.done)) else { continue }
            batches.insert(m.batch)
            for t in config.delivery.fileTargets {
                var r = deliveryStore.read(target: t.name, asset: m.id) ?? { created += 1; return DeliveryRecord.forExport(m, target: t, previous: nil) }()
                for i in r.items.indices where r.items[i].status != .delivered {
                    r.items[i].status = .pending; r.items[i].attempts = 0; r.items[i].notBefore = nil; reset += 1
                }
                try? writeDelivery(r)
                if !r.isSettled { pendingDeliveries["\(t.name)/\(m.id)"] = r }
            }
        }
        for t in config.delivery.webhooks {
            for w in deliveryStore.webhooks(target: t.name) where (w.batch == name || batches.contains(w.batch)) && w.status == .failed {
                var fresh = w
                fresh.status = .pending; fresh.attempts = 0; fresh.notBefore = nil
                try? deliveryStore.write(fresh)
                pendingWebhooks["\(t.name)/\(w.batch)"] = fresh
                reset += 1
            }
        }
        guard !batches.isEmpty || reset > 0 else { return .failure("'\(name)' is neither an exported asset nor a batch with exported assets") }
        for b in batches { markWebhookDue(b) }
        record(Event(event: "redeliver", detail: "\(name): \(reset) items again, \(created) new records"))
        return .done("\(name): \(reset) deliveries to try again\(created > 0 ? ", \(created) new records" : "")")
    }
}
