import ControlProtocol
import Foundation
import PipelineCore
import Review

/// Answers control-socket requests. Runs on the main loop, so it sees consistent state.
extension Supervisor {
    func control(_ r: Request, _ peer: Peer) -> Response {
        guard allowed(r.command, peer) else {
            return .failure(ControlPermissions.denial(r.command, euid: geteuid(), socketGroup: config.socketGroup, reviewGroup: config.reviewGroup))
        }
        var r = r
        // An answer is built on the main loop: a page never holds more than this.
        r.limit = min(r.limit ?? Self.maxPage, Self.maxPage)
        switch r.command {
        case .status: var resp = Response(ok: true); resp.status = status(); return resp
        case .list: return list(stage: r.stage, batch: r.batch, limit: r.limit, after: r.after)
        case .batches: return batches()
        case .show: return show(r.asset)
        case .retry: return retry(r.asset, peer, overrides: r.overrides)
        case .rollback: return retry(r.asset, peer, overrides: [], rollback: true)
        case .approve: return approve(r.names ?? r.asset.map { [$0] } ?? [], includeExceptions: r.includeExceptions ?? false,
                                              includeVariants: r.includeVariants ?? false, peer)
        case .reject: return reject(r.names ?? [], reason: r.reason, box: r.box, peer)
        case .exceptions: return exceptions(limit: r.limit, after: r.after)
        case .review: return reviewSummary(batch: r.batch, limit: r.limit, after: r.after)
        case .pause:
            paused = true
            record(Event(event: "paused", detail: peer.who))
            return .done("paused: assets in flight finish, nothing new starts")
        case .resume:
            paused = false
            record(Event(event: "resumed", detail: peer.who))
            return .done("resumed")
        case .reload: return reload()
        case .deliveries: return delivery.answer(batch: r.batch, failedOnly: r.failedOnly ?? false, limit: r.limit ?? Self.maxPage, after: r.after)
        case .redeliver: return redeliver(r.asset)
        case .report: return .failure("report is answered off the main loop")
        }
    }

    static let maxPage = 1000

    func allowed(_ command: Command, _ peer: Peer) -> Bool {
        ControlPermissions.permits(command, uid: peer.uid, gids: [peer.gid] + peer.groups, euid: geteuid(),
                                   socketGroup: PeerIdentity.gid(ofGroup: config.socketGroup),
                                   reviewGroup: PeerIdentity.gid(ofGroup: config.reviewGroup))
    }

    func status() -> StatusReport {
        var stages: [String: Int] = ["inbox": intake.settlingCount + intake.readyCount]
        for q in pipeline.assetQueues { stages[q.rawValue] = index.count(in: q) }
        var inProgress: [String: Int] = [:]
        for job in pool.jobs { inProgress[job.step.rawValue, default: 0] += 1 }
        var report = StatusReport(version: photopipeVersion, uptimeSeconds: clock.now().timeIntervalSince(startedAt), paused: paused,
                                  stages: stages, inProgress: inProgress, workersBusy: pool.busy,
                                  workersIdle: pool.idle, lastError: lastError, processed: processed)
        report.exportExceptions = index.withExportIssues.count
        report.batches = batchProgress()
        report.diskFull = disk.message
        if !config.delivery.targets.isEmpty {
            report.deliveries = delivery.counts
            if !config.delivery.webhooks.isEmpty { report.webhooksFailed = delivery.failedPosts }
        }
        return report
    }

    /// Assets in pipeline order (each queue oldest first), those a step is working on included.
    func list(stage: String?, batch: String?, limit: Int?, after: String?) -> Response {
        var queues = pipeline.assetQueues
        if let s = stage {
            guard let q = pipeline.queue(named: s), q != pipeline.intake.source else {
                return .failure("unknown stage '\(s)'; use one of: \(pipeline.assetQueues.map(\.rawValue).joined(separator: ", "))")
            }
            queues = [q]
        }
        if let after, index.entry(after) == nil { return .failure("'\(after)' is not listed any more; ask again without --after") }
        let page = index.page(queues: queues, matching: { batch == nil || $0.batch == batch }, after: after, limit: limit)
        var r = Response(ok: true)
        r.assets = page.entries.map { e in
            var note = e.error ?? e.exportNote
                ?? e.review.flatMap { $0.status == .autoApproved ? nil : "\($0.status.rawValue): \($0.reason ?? "")" }
            if let source = e.variantOf, e.review == nil { note = "variant of \(source)\(note.map { "; \($0)" } ?? "")" }
            let place = e.inProgress.map { "\($0.rawValue) (in progress)" } ?? e.queue.rawValue
            return AssetSummary(id: e.key, stage: place, batch: e.batch, sku: e.sku, view: e.view, note: note)
        }
        r.next = page.next
        return r
    }

    func batches() -> Response {
        var byName: [String: BatchSummary] = [:]
        func entry(_ name: String) -> BatchSummary {
            byName[name] ?? BatchSummary(name: name, stages: [:], total: 0, firstArrival: nil, lastArrival: nil, complete: false)
        }
        for (name, stats) in index.batches {
            var b = entry(name)
            for (q, n) in stats.atRest { b.stages[q.rawValue, default: 0] += n }
            if stats.inProgress > 0 { b.stages["in progress", default: 0] += stats.inProgress }
            b.total += stats.atRest.values.reduce(stats.inProgress, +)
            b.firstArrival = stats.firstArrival
            b.lastArrival = stats.lastArrival
            if b.total > 0 { byName[name] = b }
        }
        // Files being ingested are not assets yet.
        for job in pool.jobs {
            guard let name = job.inbox?.batch else { continue }
            var b = entry(name)
            b.stages["in progress", default: 0] += 1
            b.total += 1
            byName[name] = b
        }
        for (name, n) in intake.waitingPerBatch() {
            var b = entry(name)
            b.stages["inbox", default: 0] += n
            b.total += n
            byName[name] = b
        }
        for (name, b) in byName {
            byName[name]?.complete = (b.stages[pipeline.done.rawValue, default: 0] + b.stages[Queue.failed.rawValue, default: 0]) == b.total
        }
        var r = Response(ok: true)
        r.batches = byName.values.sorted { ($0.firstArrival ?? .distantFuture, $0.name) < ($1.firstArrival ?? .distantFuture, $1.name) }
        return r
    }

    func show(_ name: String?) -> Response {
        guard let name, AssetID.isValid(name) else { return .failure("name an asset id (see `pipectl list`)") }
        let matches = index.keys(named: name)
        guard matches.count <= 1 else {
            return .failure("'\(name)' could be \(matches.count) assets: \(matches.prefix(10).joined(separator: ", "))\(matches.count > 10 ? ", …" : ""); name one")
        }
        let id = matches.first ?? name
        guard let found = layout.locate(id) else { return .failure("no asset '\(name)' (see `pipectl list`)") }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "\(found.path)/manifest.json")),
              let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .failure("the manifest of '\(id)' cannot be read")
        }
        var detail: [String: JSONValue] = ["manifest": value,
                                           "stage": .string(found.queue?.rawValue ?? "in progress: \(found.step?.rawValue ?? "")")]
        if let e = try? Data(contentsOf: URL(fileURLWithPath: "\(found.path)/error.json")),
           let ev = try? JSONDecoder().decode(JSONValue.self, from: e) { detail["error"] = ev }
        var r = Response(ok: true)
        r.detail = .object(detail)
        return r
    }

    /// failed/ → back to the queue of the step that failed; export/ with channel exceptions → exported
    /// again (with the catalogue as it is now); review/ or export/ otherwise → rebuilt from retouch.
    /// - Parameters:
    ///   - overrides: `retouch.KEY=VALUE` kept for this asset; nil keeps what it had, [] (rollback) clears them.
    ///   - rollback: rebuild from the original wherever the asset is.
    func retry(_ id: String?, _ peer: Peer, overrides: [String]? = nil, rollback: Bool = false) -> Response {
        guard let id, AssetID.isValid(id) else { return .failure("name an asset id (see `pipectl list failed`)") }
        if let o = overrides, !o.isEmpty {
            if let bad = o.first(where: { !$0.hasPrefix("retouch.") }) { return .failure("--set \(bad): only retouch.KEY=VALUE can be set per asset") }
            do { _ = try ConfigLoader.applying(o, to: config) } catch { return .failure("\(error)") }
        }
        guard let found = layout.locate(id), let queue = found.queue else {
            return .failure("'\(id)' is not waiting anywhere (it may be in progress right now)")
        }
        guard var m = try? ManifestStore.read(assetDir: found.path) else { return .failure("the manifest of '\(id)' cannot be read") }
        // Retouch starts from the original again; an asset whose only trouble was a channel file is exported again.
        let rebuild = pipeline.intake.destination
        let exportAgain = pipeline.source(of: .export)
        if let source = m.variantOf, !(queue == pipeline.done && m.exportIssues != nil && overrides == nil && !rollback) {
            // A variant has no photograph of its own to rebuild from: its source makes it again.
            return .failure("'\(id)' is a generated variant of \(source) and cannot be rebuilt on its own; reject it, or retry \(source) (a new master makes new variants)")
        }
        let target: Queue
        if queue == .failed {
            let step = m.error.flatMap { pipeline.step(named: $0.step) }
            let stage = step.flatMap { pipeline.stage($0) }
            target = rollback || overrides != nil || stage == nil || stage == pipeline.intake || stage?.runner == .inline
                ? rebuild : stage!.source
        } else if queue == pipeline.done && m.exportIssues != nil && overrides == nil && !rollback {
            target = exportAgain
        } else if queue == rebuild {
            guard overrides != nil || rollback else { return .failure("'\(id)' is already waiting for retouch") }
            target = rebuild
        } else {
            target = rebuild
        }
        if target == exportAgain {
            m.history.append(HistoryEntry(step: "retry", to: target.rawValue, at: clock.now(), note: "export again, by \(peer.who)"))
            do {
                try ManifestStore.write(m, assetDir: found.path)
                try FileOps.move(found.path, layout.asset(id, in: exportAgain))
            } catch { return .failure("cannot move '\(id)': \(error)") }
            index.move(id, to: exportAgain)
            scheduler.enqueue(id, for: .export)
            record(Event(event: "retry", asset: id, from: queue.rawValue, to: target.rawValue, detail: peer.who))
            return .done("\(id): export → approved (exported again)")
        }
        if let o = overrides { m.retouchOverrides = o.isEmpty ? nil : o }
        if m.review != nil { markSheet(m.batch) }
        m.error = nil
        m.attempts = [:]
        m.review = nil
        // The catalogue may have gained the SKU since: resolve it again.
        let stem = splitExtension(m.sourceName).stem
        let r = resolver.resolve(stem: stem, batch: m.batch, descriptive: m.descriptive)
        ViewIndex(layout: layout).release(sku: m.sku, id: m.id)
        m.skuResolution = r
        if let sku = r.sku { m.sku = sku; m.skuSource = r.source ?? m.skuSource }
        m.catalog = r.sku.flatMap { catalog?.row(sku: $0)?.fields }
        let naming = namePattern.resolve(stem: stem)
        m.nameColour = naming.colour
        assignView(&m, named: m.viewSource == "arrival" || m.viewSource == "capture" ? nil : naming.view)
        let how = rollback ? "rollback" : (overrides?.isEmpty == false ? "retry with \(overrides!.joined(separator: " "))" : "retry")
        m.history.append(HistoryEntry(step: "retry", to: target.rawValue, at: clock.now(), note: "\(how) by \(peer.who)"))
        do {
            try ManifestStore.write(m, assetDir: found.path)
            unlink("\(found.path)/error.json")
            try FileOps.move(found.path, layout.asset(id, in: target))
        } catch { return .failure("cannot move '\(id)': \(error)") }
        if queue == .failed { index.removeFailed(id) }
        index.put(m, in: target)
        scheduler.arrived(id, in: target)
        record(Event(event: "retry", asset: id, from: queue.rawValue, to: target.rawValue, detail: peer.who))
        return .done("\(id): \(queue.rawValue) → \(target.rawValue)")
    }

    /// Re-reads the config file. Settings that need a restart (root, socket) are refused by name.
    func reload() -> Response {
        var fresh: Config
        do {
            fresh = try ConfigLoader.load(path: configPath)
            commandLineOverrides.apply(to: &fresh)
        } catch { log.error("reload refused: \(error)"); return .failure("reload refused, the running config is unchanged: \(error)") }
        var freshCatalog: Catalog?
        if let path = fresh.catalogPath {
            do { freshCatalog = try Catalog.load(path: path) } catch {
                let why = "reload refused, the running config is unchanged: 'ingest.catalog' \(path): \(error)"
                log.error("\(why)")
                return .failure(why)
            }
        }
        if let problem = HostCheck.errors(fresh).first {
            log.error("reload refused: \(problem)")
            return .failure("reload refused, the running config is unchanged: \(problem)")
        }
        if fresh.root != config.root || fresh.socketPath != config.socketPath {
            return .failure("reload refused: 'root' and 'daemon.socket' only change with a restart")
        }
        do { namePattern = try NamePattern(fresh.namePattern) } catch { return .failure("reload refused: \(error)") }
        let oldWeb = config.web
        config = fresh
        if fresh.web != oldWeb { reopenWorkbench(after: oldWeb) }
        pool.reload(fresh)
        if let path = fresh.catalogPath, let freshCatalog {
            catalogStamp = Supervisor.mtime(path)
            use(catalog: freshCatalog, from: path)
        } else {
            catalog = nil
            catalogStamp = nil
        }
        reviewDesk.use(ReviewPolicy(fresh))
        let watched = intake.watchedPaths
        intake.reload(fresh)
        if intake.watchedPaths != watched { rewatch() }
        delivery.reload(fresh.delivery)
        useNotifySettings(fresh.notify)
        log.notice("configuration reloaded")
        record(Event(event: "reloaded"))
        return .done("configuration reloaded")
    }
}
