import Foundation
import PipelineCore

/// Scheduling: which claimed asset a worker gets, and what happens to it when the worker replies or dies.
extension Supervisor {
    static let executable: String = {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }()

    /// Hands each idle worker the next job: later stages first, then settled inbox files.
    func dispatch() {
        pool.dispatch(root: layout.root, settings: JobSettings(config)) {
            guard let job = nextJob() else { return nil }
            lastProgress = clock.now()
            return job
        }
    }

    /// Claims the next asset for a worker stage (moving it into the step's claim directory), or
    /// else the oldest settled inbox file.
    func nextJob() -> WorkerPool.Assignment? {
        while let (stage, id) = scheduler.nextForWorkers() {
            let claim = layout.claimed(id, by: stage.step)
            do {
                try FileOps.move(layout.asset(id, in: stage.source), claim)
                index.claim(id, by: stage.step)
                if stage.step == .export { refreshCatalogRow(claim) }
                return .init(step: stage.step, claim: claim, assetID: id, inbox: nil)
            } catch {
                log.warning("cannot claim \(id) for \(stage.step): \(error)")
            }
        }
        if pipeline.intake.runner == .worker {
            do {
                if let c = try intake.claimNext() { return .init(step: pipeline.intake.step, claim: c.claim, assetID: nil, inbox: c.item) }
            } catch {
                log.error("\(error)")
                lastError = "\(error)"
            }
        }
        if let source = scheduler.nextVariants() { return .init(step: .variants, claim: "\(variantWork)/\(source)", assetID: source, inbox: nil) }
        return nil
    }

    func workerReplied(_ index: Int, _ line: Data) {
        guard let (job, reply) = pool.replied(index, line) else { return }
        lastProgress = clock.now()
        let ms = clock.now().timeIntervalSince(job.startedAt) * 1000
        switch job.step {
        case pipeline.intake.step: commitIngest(job, reply, ms: ms)
        case .variants: finishVariants(job, reply)
        default: finishWorkerStep(job, reply, ms: ms)
        }
    }

    func workerExited(_ index: Int, _ status: Int32) {
        guard let job = pool.exited(index, refill: !stopping) else { return }
        lastProgress = clock.now()
        let (code, text) = job.timedOut
            ? ("timeout", "the worker took longer than limits.asset_timeout_seconds (\(Int(config.assetTimeoutSeconds)) s) and was killed")
            : describeExit(status)
        log.warning("worker \(index) died during \(job.step.rawValue) of \(job.assetID ?? job.claimPath): \(text)")
        jobDied(job, code: code, text: text)
    }

    /// A crash, abort, hang or memory blow-up: count the attempt; give up after `limits.max_attempts`.
    func jobDied(_ job: WorkerPool.Job, code: String, text: String) {
        if job.step == .variants { variantsFailed(job, reason: "\(code): \(text)"); return }
        if job.step == pipeline.intake.step, let item = job.inbox {
            let ledger = AttemptLedger(layout: layout)
            let attempts = ledger.increment(batch: item.batch, name: item.name)
            if attempts >= config.maxAttempts {
                ledger.clear(batch: item.batch, name: item.name)
                ingestGaveUp(job, item, code: code, text: text, attempts: attempts)
            } else {
                intake.putBack(job.claimPath, item)
            }
            return
        }
        guard let id = job.assetID, var m = try? ManifestStore.read(assetDir: job.claimPath) else {
            log.error("lost track of \(job.claimPath); reconcile will put it back")
            return
        }
        let attempts = (m.attempts[job.step.rawValue] ?? 0) + 1
        m.attempts[job.step.rawValue] = attempts
        if attempts >= config.maxAttempts {
            fail(claim: job.claimPath, manifest: m, step: job.step, code: code,
                 message: "Gave up after \(attempts) attempts: \(text). The original is kept; check the file, then `pipectl retry \(id)`.",
                 attempts: attempts)
            return
        }
        let source = pipeline.source(of: job.step)
        m.history.append(HistoryEntry(step: job.step.rawValue, to: source.rawValue, at: clock.now(), note: "attempt \(attempts) failed: \(text)"))
        do {
            try ManifestStore.write(m, assetDir: job.claimPath)
            try FileOps.move(job.claimPath, layout.asset(id, in: source))
            index.put(m, in: source)
            scheduler.enqueue(id, for: job.step)
        } catch {
            log.error("cannot return \(id) to \(source): \(error)")
        }
    }

    /// An ingest that could not finish (an unreadable file, a full disk…): the file goes back to
    /// the inbox and is tried again once it settles; after `max_attempts` it stays there, untouched,
    /// until it changes (fixed permissions, a fresh copy).
    func ingestSetback(_ claim: String, _ item: Intake.Item, reason: String) {
        let key = "\(item.batch)/\(item.name)"
        let ledger = AttemptLedger(layout: layout)
        let attempts = ledger.increment(batch: item.batch, name: item.name)
        guard let back = intake.putBack(claim, item), attempts >= config.maxAttempts else { return }
        ledger.clear(batch: item.batch, name: item.name)
        intake.park(back)
        lastError = "\(key) left in the inbox: \(reason)"
        log.error("\(key) left in the inbox after \(attempts) attempts: \(reason). Fix the cause, then copy or touch the file again.")
    }

    /// An export names files from the catalogue as it is now, so a fixed catalogue reaches a retried asset.
    func refreshCatalogRow(_ claim: String) {
        guard let catalog, var m = try? ManifestStore.read(assetDir: claim) else { return }
        let fresh = catalog.row(sku: m.sku)?.fields
        guard fresh != nil, fresh != m.catalog else { return }
        m.catalog = fresh
        try? ManifestStore.write(m, assetDir: claim)
    }
}
