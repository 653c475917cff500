import Foundation
import PipelineCore

/// Worker processes: starting them, handing out jobs, and what happens when one dies.
extension Supervisor {
    static let executable: String = {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }()

    func spawnWorker() {
        let now = clock.now()
        recentSpawns = recentSpawns.filter { now.timeIntervalSince($0) < 10 } + [now]
        if recentSpawns.count > 20 { log.warning("workers are dying fast (\(recentSpawns.count) starts in 10 s)") }
        let index = nextWorkerIndex
        nextWorkerIndex += 1
        do {
            workers[index] = try WorkerProcess(
                index: index, executable: workerExecutable,
                arguments: ["worker", "--memory-mb", "\(config.workerMemoryMB)", "--vips-threads", "\(config.vipsThreads)",
                            "--parent", "\(getpid())"],
                mailbox: mailbox)
        } catch {
            lastError = "\(error)"
            log.error("\(error)")
        }
    }

    /// Workers take their memory cap and thread count at start: after a reload that changes
    /// them, idle workers are replaced now and busy ones after their job.
    func restartWorkersForNewLimits() {
        for index in workers.keys.sorted() {
            if running[index] == nil { workers.removeValue(forKey: index) } else { retireAfterJob.insert(index) }
        }
        resizePool()
    }

    /// Keeps the pool at the configured size (after a reload, idle extras are retired).
    func resizePool() {
        while workers.count < config.workers { spawnWorker() }
        for index in workers.keys.sorted().reversed() where workers.count > config.workers && running[index] == nil {
            workers.removeValue(forKey: index)?.closeInput()
        }
    }

    func dispatch() {
        for index in workers.keys.sorted() where running[index] == nil {
            guard let worker = workers[index], let job = nextJob() else { return }
            nextSeq += 1
            let work = WorkerJob(seq: nextSeq, step: job.step, path: job.claim, root: layout.root,
                                 settings: JobSettings(config))
            running[index] = RunningJob(step: job.step, claimPath: job.claim, assetID: job.id, inbox: job.item,
                                        seq: nextSeq, startedAt: clock.now())
            lastProgress = clock.now()
            if !worker.send(work) { worker.kill() } // its exit event puts the job back
        }
    }

    /// Later stages first, so finished files come out while the inbox is still being read.
    func nextJob() -> (step: Step, claim: String, id: String?, item: InboxItem?)? {
        for stage in pipeline.workerStagesByPriority where stage != pipeline.intake {
            while let id = waiting[stage.step]!.popFirst() {
                let claim = layout.claimed(id, by: stage.step)
                do {
                    try FileOps.move(layout.asset(id, in: stage.source), claim)
                    index.claim(id, by: stage.step)
                    if stage.step == .export { refreshCatalogRow(claim) }
                    return (stage.step, claim, id, nil)
                } catch {
                    log.warning("cannot claim \(id) for \(stage.step): \(error)")
                }
            }
        }
        guard pipeline.intake.runner == .worker else { return nil }
        while let path = readyFiles.popFirst() {
            if let c = claimInboxFile(path) { return (pipeline.intake.step, c.claim, nil, c.item) }
        }
        return nil
    }

    func workerReplied(_ index: Int, _ line: Data) {
        guard let reply = try? ManifestStore.decoder().decode(WorkerReply.self, from: line), reply.isWellFormed else {
            log.error("worker \(index) sent an unreadable line; replacing it")
            workers[index]?.kill()
            return
        }
        guard let job = running[index], job.seq == reply.seq else { return }
        running[index] = nil
        if reply.retiring == true || retireAfterJob.remove(index) != nil {
            // That worker exits after this reply, or was started with settings a reload changed.
            workers.removeValue(forKey: index)
        }
        lastProgress = clock.now()
        let ms = clock.now().timeIntervalSince(job.startedAt) * 1000
        if job.step == pipeline.intake.step { commitIngest(job, reply, ms: ms) } else { finishWorkerStep(job, reply, ms: ms) }
    }

    func workerExited(_ index: Int, _ status: Int32) {
        workers[index] = nil // releases the process object, closing its stdin pipe
        retireAfterJob.remove(index)
        if let job = running.removeValue(forKey: index) {
            lastProgress = clock.now()
            let (code, text) = job.timedOut
                ? ("timeout", "the worker took longer than limits.asset_timeout_seconds (\(Int(config.assetTimeoutSeconds)) s) and was killed")
                : describeExit(status)
            log.warning("worker \(index) died during \(job.step.rawValue) of \(job.assetID ?? job.claimPath): \(text)")
            jobDied(job, code: code, text: text)
        }
        // A pool shrunk by reload is not refilled; a failed start is retried from tick().
        if !stopping && workers.count < config.workers { spawnWorker() }
    }

    func enforceTimeouts(_ now: Date) {
        for (index, job) in running where !job.timedOut && now.timeIntervalSince(job.startedAt) > config.assetTimeoutSeconds {
            running[index]?.timedOut = true
            workers[index]?.kill()
        }
    }

    /// A crash, abort, hang or memory blow-up: count the attempt; give up after `limits.max_attempts`.
    func jobDied(_ job: RunningJob, code: String, text: String) {
        if job.step == pipeline.intake.step, let item = job.inbox {
            let ledger = AttemptLedger(layout: layout)
            let attempts = ledger.increment(batch: item.batch, name: item.name)
            if attempts >= config.maxAttempts {
                ledger.clear(batch: item.batch, name: item.name)
                ingestGaveUp(job, item, code: code, text: text, attempts: attempts)
            } else {
                returnToInbox(job.claimPath, item)
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
            waiting[job.step]!.append(id)
        } catch {
            log.error("cannot return \(id) to \(source): \(error)")
        }
    }

    @discardableResult
    func returnToInbox(_ claim: String, _ item: InboxItem) -> String? {
        let dir = "\(inboxRoot)/\(item.batch)"
        do {
            try FileOps.makeDirectory(dir)
            let back = "\(dir)/\(FileOps.freeName(in: dir, for: item.name))"
            try FileOps.move(claim, back)
            inboxChanged(back)
            return back
        } catch {
            log.error("cannot return \(claim) to the inbox: \(error)")
            return nil
        }
    }

    /// An ingest that could not finish (an unreadable file, a full disk…): the file goes back to
    /// the inbox and is tried again once it settles; after `max_attempts` it stays there, untouched,
    /// until it changes (fixed permissions, a fresh copy).
    func ingestSetback(_ claim: String, _ item: InboxItem, reason: String) {
        let key = "\(item.batch)/\(item.name)"
        let ledger = AttemptLedger(layout: layout)
        let attempts = ledger.increment(batch: item.batch, name: item.name)
        guard let back = returnToInbox(claim, item), attempts >= config.maxAttempts else { return }
        ledger.clear(batch: item.batch, name: item.name)
        settle.forget(back)
        if let snap = snapshot(back) { parked[back] = snap.snapshot }
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
