import ControlProtocol
import Delivery
import Foundation
import PipelineCore

/// Deliveries: records on disk per asset and target, jobs on delivery threads, retries with
/// backoff, a signed webhook per delivered batch.
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

    /// At start: every record with work left goes back into the queue.
    func loadPendingDeliveries() {
        loadDeliveryCredentials()
        for r in deliveryStore.all(targets: config.delivery.fileTargets.map(\.name)) where !r.isSettled {
            pendingDeliveries["\(r.target)/\(r.asset)"] = r
        }
        for t in config.delivery.webhooks {
            for w in deliveryStore.webhooks(target: t.name) where w.status == .pending { pendingWebhooks["\(t.name)/\(w.batch)"] = w }
        }
    }

    /// After an export: one record per file target, written before the asset moves on.
    func queueDeliveries(_ m: Manifest) {
        for t in config.delivery.fileTargets {
            let record = DeliveryRecord.forExport(m, target: t, previous: deliveryStore.read(target: t.name, asset: m.id))
            do { try writeDelivery(record) } catch {
                log.error("cannot record the deliveries of \(m.id) to \(t.name): \(error)")
                continue
            }
            if record.isSettled { webhookDue[m.batch] = Date().addingTimeInterval(webhookQuietSeconds) }
            else { pendingDeliveries["\(t.name)/\(m.id)"] = record }
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
            guard let w = pendingWebhooks[key], (w.notBefore ?? .distantPast) <= now, let target = config.delivery.targets[w.target] else { continue }
            let body = BatchDeliveryManifest(batch: w.batch, records: records(batch: w.batch)).encoded()
            let job = DeliveryJob(target: target, credentials: credentials(target) ?? Credentials(), owner: w.batch, work: .webhook(body), root: layout.root)
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

    /// A batch whose files are all settled: each webhook gets its manifest, unless it already got these exact bytes.
    func prepareWebhooks(batch: String) {
        let body = BatchDeliveryManifest(batch: batch, records: records(batch: batch)).encoded()
        let sha = Crypto.sha256Hex(body)
        for t in config.delivery.webhooks {
            if let old = deliveryStore.readWebhook(target: t.name, batch: batch), old.payloadSHA256 == sha, old.status == .delivered { continue }
            let w = WebhookRecord(target: t.name, batch: batch, payloadSHA256: sha)
            try? deliveryStore.write(w)
            pendingWebhooks["\(t.name)/\(batch)"] = w
        }
    }

    func deliveryFinished(_ outcome: DeliveryOutcome) {
        deliveriesInFlight.remove(outcome.job.key)
        settle(outcome.job, outcome.result)
    }

    /// Records what happened: delivered, failed for good, or scheduled again with backoff.
    func settle(_ job: DeliveryJob, _ result: Result<S3Client.Result, DeliveryFailure>) {
        let d = config.delivery
        func apply<A: DeliveryAttempt>(_ a: inout A) {
            let f: DeliveryFailure? = if case .failure(let e) = result { e } else { nil }
            a.record(success: f == nil, failure: f?.reason, permanent: f?.permanent ?? false, maxAttempts: d.maxAttempts) { n in
                Backoff.delay(attempt: n, base: d.backoffSeconds, cap: d.backoffCapSeconds)
            }
        }
        switch job.work {
        case .file(let item, _, _):
            let key = "\(job.target.name)/\(job.owner)"
            guard var r = pendingDeliveries[key] ?? deliveryStore.read(target: job.target.name, asset: job.owner),
                  // The same path with other bytes is a newer export: this outcome is not its.
                  let i = r.items.firstIndex(where: { $0.path == item.path && $0.sha256 == item.sha256 }) else { return }
            apply(&r.items[i])
            if case .success(let s) = result { r.items[i].url = s.url; r.items[i].etag = s.etag; r.items[i].alreadyThere = s.alreadyThere }
            try? writeDelivery(r)
            let it = r.items[i]
            switch it.status {
            case .delivered: record(Event(event: "delivered", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.channel)/\(it.file)\(it.alreadyThere == true ? " (already there)" : "")"))
            case .failed:
                log.warning("\(job.owner): delivery of \(it.channel)/\(it.file) to \(job.target.name) failed: \(it.error ?? "")")
                record(Event(event: "delivery-failed", asset: job.owner, step: "deliver", detail: "\(job.target.name): \(it.error ?? "")"))
            case .pending: log.info("\(job.owner): \(it.channel)/\(it.file) to \(job.target.name) will be tried again: \(it.error ?? "")")
            }
            if r.isSettled {
                pendingDeliveries.removeValue(forKey: key)
                webhookDue[r.batch] = Date().addingTimeInterval(webhookQuietSeconds)
            } else { pendingDeliveries[key] = r }
        case .webhook:
            let key = "\(job.target.name)/\(job.owner)"
            guard var w = pendingWebhooks[key] ?? deliveryStore.readWebhook(target: job.target.name, batch: job.owner) else { return }
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
        for id in layout.assets(in: .export) {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .export)), m.id == name || m.batch == name else { continue }
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
        for b in batches { webhookDue[b] = Date().addingTimeInterval(webhookQuietSeconds) }
        record(Event(event: "redeliver", detail: "\(name): \(reset) items again, \(created) new records"))
        return .done("\(name): \(reset) deliveries to try again\(created > 0 ? ", \(created) new records" : "")")
    }
}
