import Export
import Ingest
import Foundation
import Imaging
import PipelineCore
import Review

/// Moving assets from one queue to the next: each move is a manifest write and one rename.
extension Supervisor {
    var hashIndex: HashIndex { HashIndex(layout: layout) }

    func commitIngest(_ job: WorkerPool.Job, _ reply: WorkerReply, ms: Double) {
        guard let item = job.inbox else { return }
        guard let digest = reply.digest else {
            let reason = reply.failure?.message ?? "the file could not be read"
            log.warning("ingest could not read \(item.batch)/\(item.name): \(reason)")
            ingestSetback(job.claimPath, item, reason: reason)
            return
        }
        let ledger = AttemptLedger(layout: layout)
        let crashes = ledger.count(batch: item.batch, name: item.name)
        ledger.clear(batch: item.batch, name: item.name)
        if let existing = hashIndex.assetID(for: digest.sha256) {
            keepDuplicate(job.claimPath, item, of: existing)
            return
        }
        createAsset(claim: job.claimPath, item: item, digest: digest, source: reply.source, camera: reply.camera,
                    descriptive: reply.descriptive,
                    failure: reply.ok ? nil : reply.failure, ms: ms, workerMs: reply.computeMs, attempts: crashes + 1)
    }

    /// The same bytes again: kept under duplicates/, recorded on the first asset, not processed twice.
    func keepDuplicate(_ claim: String, _ item: Intake.Item, of existing: String) {
        let dir = "\(layout.duplicates)/\(item.batch)"
        do {
            try FileOps.makeDirectory(dir)
            let name = FileOps.freeName(in: dir, for: Sanitizer.component(item.name, fallback: "duplicate"))
            try FileOps.move(claim, "\(dir)/\(name)")
            try? FileOps.makeReadOnly("\(dir)/\(name)")
            if let found = layout.locate(existing), var m = try? ManifestStore.read(assetDir: found.path) {
                m.duplicates.append(DuplicateRecord(batch: item.batch, name: item.name, keptAt: "duplicates/\(item.batch)/\(name)", at: clock.now()))
                try? ManifestStore.write(m, assetDir: found.path)
            }
            log.info("duplicate of \(existing) not processed again: \(item.batch)/\(item.name)")
            record(Event(event: "duplicate", asset: existing, step: "ingest", detail: "\(item.batch)/\(item.name)"))
        } catch {
            log.error("cannot keep duplicate \(claim): \(error)")
        }
    }

    /// Builds the asset in `.work/new/`, moves the original into originals/ (read-only),
    /// then publishes the asset with one rename. Reconcile finishes or undoes a crash in between.
    func createAsset(claim: String, item: Intake.Item, digest: DigestInfo, source: SourceInfo?, camera: CameraInfo? = nil,
                     descriptive: DescriptiveMetadata? = nil,
                     failure: StepFailure?, ms: Double,
                     workerMs: Double? = nil, attempts: Int = 1) {
        let (stem, ext) = splitExtension(item.name)
        var id = AssetID.make(stem: stem, sha256: digest.sha256)
        if layout.locate(id) != nil { id = AssetID.make(stem: stem, sha256: digest.sha256, length: 20) }
        let originalsDir = "\(layout.originals)/\(item.batch)"
        let safeName = Sanitizer.component(stem, fallback: "image") + (ext.isEmpty ? "" : ".\(Sanitizer.component(ext))")
        let naming = namePattern.resolve(stem: stem)
        let sidecar = findSidecar(item)
        var descriptive = descriptive
        if let sidecar { descriptive = readSidecar(sidecar, into: descriptive) }
        let resolution = resolver.resolve(stem: stem, batch: item.batch, descriptive: descriptive)
        let staging = "\(layout.staging)/\(id)"
        do {
            try FileOps.makeDirectory(originalsDir)
            let originalName = FileOps.freeName(in: originalsDir, for: safeName)
            var m = Manifest(id: id, batch: item.batch, sourceName: item.name, original: "originals/\(item.batch)/\(originalName)",
                             sha256: digest.sha256, bytes: digest.bytes,
                             sku: resolution.sku ?? resolution.candidates.first?.value ?? naming.sku, view: naming.view,
                             skuSource: resolution.source ?? "unresolved", arrivedAt: item.arrivedAt)
            m.skuResolution = resolution
            m.nameColour = naming.colour
            m.catalog = resolution.sku.flatMap { catalog?.row(sku: $0)?.fields }
            m.source = source
            m.camera = camera
            if failure == nil { assignView(&m, named: naming.view) }
            m.descriptive = descriptive
            if attempts > 1 { m.attempts["ingest"] = attempts }
            let target: Queue = failure == nil ? pipeline.intake.destination : .failed
            m.history.append(HistoryEntry(step: "ingest", to: target.rawValue, at: clock.now(), ms: ms, workerMs: workerMs))
            if let f = failure {
                m.error = FailureRecord(step: "ingest", code: f.code, message: f.message, attempts: attempts, at: clock.now())
            }
            try FileOps.makeDirectory(staging)
            try ManifestStore.write(m, assetDir: staging)
            if let e = m.error { try ManifestStore.writeFailure(e, assetDir: staging) }
            let original = "\(originalsDir)/\(originalName)"
            try FileOps.move(claim, original)
            // Fails (harmlessly) for files the sync user owns: originals/ is closed to them anyway.
            try? FileOps.makeReadOnly(original)
            if let sidecar { keepSidecar(sidecar, beside: original, assetDir: staging, manifest: &m) }
            AtomicFile.syncDirectory(originalsDir)
            try hashIndex.record(digest.sha256, id: id)
            try FileOps.move(staging, layout.asset(id, in: target))
            index.put(m, in: target)
            record(Event(event: failure == nil ? "ingested" : "failed", asset: id, step: pipeline.intake.step.rawValue, from: pipeline.intake.source.rawValue, to: target.rawValue,
                         ms: ms, detail: failure.map { "\($0.code): \($0.message)" }))
            if let f = failure {
                noteFailure(id, "ingest", f)
            } else {
                log.info("ingested \(item.batch)/\(item.name) as \(id)", metadata: ["sku": "\(m.sku)"])
                scheduler.arrived(id, in: target)
            }
        } catch {
            if FileOps.exists(claim) {
                try? FileManager.default.removeItem(atPath: staging)
                if DiskGuard.isOutOfSpace(error) {
                    // Not the file's fault: back to the inbox, no attempt counted.
                    diskChanged(disk.ranOut("ingest of \(item.batch)/\(item.name)"))
                    intake.putBack(claim, item)
                    return
                }
                log.error("ingest of \(item.batch)/\(item.name) failed: \(error)")
                lastError = "\(error)"
                ingestSetback(claim, item, reason: "\(error)")
            } else {
                log.error("ingest of \(item.batch)/\(item.name) failed: \(error)")
                lastError = "\(error)"
            }
            // Otherwise the original is already in originals/: the next reconcile finishes the asset.
        }
    }

    /// The XMP sidecar waiting in the inbox folder the frame came from, if any.
    func findSidecar(_ item: Intake.Item) -> String? {
        guard let dir = item.inboxDir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir),
              let name = InboxFilter.sidecar(of: item.name, among: names) else { return nil }
        return "\(dir)/\(name)"
    }

    /// The sidecar's title, keywords, job identifier… fill what the frame's own metadata lacks.
    func readSidecar(_ path: String, into descriptive: DescriptiveMetadata?) -> DescriptiveMetadata? {
        guard let data = FileManager.default.contents(atPath: path) else { return descriptive }
        var meta = descriptive ?? DescriptiveMetadata()
        XMPReader.read(data, into: &meta)
        return meta.isEmpty ? descriptive : meta
    }

    /// Moves the sidecar beside the original, read-only, and names it in the manifest. A sidecar
    /// that cannot be moved stays in the inbox; the asset goes on without it.
    func keepSidecar(_ sidecar: String, beside original: String, assetDir: String, manifest m: inout Manifest) {
        let dir = (original as NSString).deletingLastPathComponent
        let name = FileOps.freeName(in: dir, for: (original as NSString).lastPathComponent + ".xmp")
        do {
            try FileOps.move(sidecar, "\(dir)/\(name)")
            try? FileOps.makeReadOnly("\(dir)/\(name)")
            m.sidecar = "originals/\(m.batch)/\(name)"
            try ManifestStore.write(m, assetDir: assetDir)
        } catch {
            log.warning("cannot keep the sidecar \(sidecar) beside \(original): \(error)")
        }
    }

    /// Views from the name are claimed as given (a second named claimant is a clash for a person).
    /// Names without one are numbered per SKU in capture-time order around the named views; a
    /// frame that arrives late but was shot earlier moves the later ones up, and those already
    /// exported are exported again under their new names.
    func assignView(_ m: inout Manifest, named: Int?) {
        let views = ViewIndex(layout: layout)
        guard let named else {
            let frame = ViewOrdering.Frame(id: m.id, captureTime: m.camera?.captureTime, arrivedAt: m.arrivedAt)
            let placed = views.placeUnnamed(sku: m.sku, frame: frame)
            m.view = placed.views[m.id]
            m.viewSource = m.camera?.captureTime == nil ? "arrival" : "capture"
            m.viewClashWith = nil
            applyRenumbering(sku: m.sku, placed, except: m.id)
            return
        }
        var outcome = views.claim(sku: m.sku, view: named, id: m.id)
        if case .clash(let v, let holder) = outcome, views.isUnnamed(sku: m.sku, id: holder) {
            // A named frame takes its view from one numbered by capture order, which moves on.
            views.free(sku: m.sku, view: v)
            outcome = views.claim(sku: m.sku, view: named, id: m.id)
            applyRenumbering(sku: m.sku, views.renumber(sku: m.sku), except: m.id)
        }
        switch outcome {
        case .assigned(let v):
            m.view = v
            m.viewSource = "name"
            m.viewClashWith = nil
        case .clash(let v, let holder):
            m.view = v
            m.viewSource = "name"
            m.viewClashWith = holder
        }
    }

    /// Writes moved views into the other assets' manifests; exported ones are exported again.
    func applyRenumbering(sku: String, _ placed: (views: [String: Int], before: [String: Int]), except: String) {
        for (id, v) in placed.views where id != except && placed.before[id] != v {
            guard let found = layout.locate(id), var other = try? ManifestStore.read(assetDir: found.path) else { continue }
            let old = other.view
            other.view = v
            other.history.append(HistoryEntry(step: "views", to: found.queue?.rawValue ?? found.step?.rawValue ?? "", at: clock.now(),
                                              note: "view \(old.map(String.init) ?? "-") → \(v): a frame shot earlier arrived later"))
            try? ManifestStore.write(other, assetDir: found.path)
            index.update(other)
            log.info("\(id): view \(old.map(String.init) ?? "-") → \(v) (capture order of \(sku))")
            record(Event(event: "view-moved", asset: id, detail: "\(old.map(String.init) ?? "-") → \(v)"))
            if found.queue == .export, (try? FileOps.move(found.path, layout.asset(id, in: .approved))) != nil {
                index.move(id, to: .approved)
                scheduler.enqueue(id, for: .export)
            } else if found.step == .export {
                exportAgain.insert(id)
            }
        }
    }

    /// After `max_attempts` crashes while hashing/probing: hash here (no decoding) and file it as failed.
    func ingestGaveUp(_ job: WorkerPool.Job, _ item: Intake.Item, code: String, text: String, attempts: Int) {
        guard let d = try? FileDigest.of(job.claimPath) else { intake.putBack(job.claimPath, item); return }
        let digest = DigestInfo(sha256: d.sha256, bytes: d.bytes)
        if let existing = hashIndex.assetID(for: d.sha256) { keepDuplicate(job.claimPath, item, of: existing); return }
        createAsset(claim: job.claimPath, item: item, digest: digest, source: nil,
                    failure: StepFailure(code, "Gave up after \(attempts) attempts to read the file: \(text). The original is kept."),
                    ms: 0, attempts: attempts)
    }

    func finishWorkerStep(_ job: WorkerPool.Job, _ reply: WorkerReply, ms: Double) {
        guard let id = job.assetID, var m = try? ManifestStore.read(assetDir: job.claimPath) else { return }
        if !reply.ok, reply.failure?.code == StepFailure.diskFullCode {
            putBack(claim: job.claimPath, id: id, step: job.step, what: "\(job.step) of \(id)")
            return
        }
        if !reply.ok {
            let f = reply.failure ?? StepFailure("unknown", "the worker reported a failure without a reason")
            fail(claim: job.claimPath, manifest: m, step: job.step, code: f.code, message: f.message,
                 attempts: (m.attempts[job.step.rawValue] ?? 0) + 1)
            return
        }
        if let commit = handlers.commit[job.step], !commit(self, reply, job.claimPath, &m) { return }
        advance(claim: job.claimPath, manifest: &m, step: job.step, to: pipeline.destination(of: job.step), ms: ms, workerMs: reply.computeMs)
        if job.step == .export, exportAgain.remove(id) != nil,
           (try? FileOps.move(layout.asset(id, in: .export), layout.asset(id, in: .approved))) != nil {
            // Its view moved while it was being exported: once more, under the new name.
            index.move(id, to: .approved)
            scheduler.enqueue(id, for: .export)
        }
        if job.step == .export {
            processed += 1
            log.info("exported \(id)", metadata: ["files": "\(m.outputs.map(\.path).joined(separator: ","))"])
        }
    }

    /// Writes the manifest and renames the claimed asset into `queue`.
    func advance(claim: String, manifest m: inout Manifest, step: Step, to queue: Queue, ms: Double?, workerMs: Double? = nil,
                 note: String? = nil) {
        m.history.append(HistoryEntry(step: step.rawValue, to: queue.rawValue, at: clock.now(), ms: ms, workerMs: workerMs, note: note))
        do {
            try ManifestStore.write(m, assetDir: claim)
            try FileOps.move(claim, layout.asset(m.id, in: queue))
            index.put(m, in: queue)
        } catch {
            if DiskGuard.isOutOfSpace(error) {
                putBack(claim: claim, id: m.id, step: step, what: "writing the manifest of \(m.id)")
                return
            }
            log.error("cannot move \(m.id) to \(queue.rawValue): \(error)")
            lastError = "\(error)"
            return
        }
        record(Event(event: step.rawValue, asset: m.id, step: step.rawValue, from: pipeline.source(of: step).rawValue, to: queue.rawValue, ms: ms))
        scheduler.arrived(m.id, in: queue)
        if queue == pipeline.done { writeBatchReportIfDone(m.batch) }
    }

    func fail(claim: String, manifest: Manifest, step: Step, code: String, message: String, attempts: Int) {
        var m = manifest
        let failure = FailureRecord(step: step.rawValue, code: code, message: message, attempts: attempts, at: clock.now())
        m.error = failure
        m.attempts[step.rawValue] = attempts
        m.history.append(HistoryEntry(step: step.rawValue, to: "failed", at: clock.now(), note: "\(code): \(message)"))
        do {
            try ManifestStore.write(m, assetDir: claim)
            try ManifestStore.writeFailure(failure, assetDir: claim)
            // Never delete an existing failed/<id>: an older failure of the same asset keeps its folder.
            let failedDir = layout.dir(.failed)
            let name = FileOps.freeName(in: failedDir, for: m.id)
            try FileOps.move(claim, "\(failedDir)/\(name)")
            index.put(m, key: name, in: .failed)
        } catch {
            if DiskGuard.isOutOfSpace(error), claim.hasPrefix(layout.work + "/") {
                putBack(claim: claim, id: m.id, step: step, what: "recording the failure of \(m.id)")
                return
            }
            log.error("cannot move \(m.id) to failed: \(error)")
        }
        record(Event(event: "failed", asset: m.id, step: step.rawValue, from: pipeline.source(of: step).rawValue, to: "failed", detail: "\(code): \(message)"))
        noteFailure(m.id, step.rawValue, StepFailure(code, message))
        markWebhookDue(m.batch)   // the batch may be complete now, with this asset among its failures
        writeBatchReportIfDone(m.batch)
    }

    /// The most similar other frame of the same SKU, from the signature index.
    func nearestSibling(_ m: Manifest) -> ReviewPolicy.Neighbour? {
        guard let mine = m.master?.signature else { return nil }
        let dir = "\(layout.signatures)/\(Sanitizer.component(m.sku, fallback: "unknown"))"
        var best: ReviewPolicy.Neighbour?
        for other in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where other != m.id && !other.hasPrefix(".") {
            guard let sig = try? String(contentsOfFile: "\(dir)/\(other)", encoding: .utf8),
                  let d = PerceptualHash.distance(mine, sig.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            if best == nil || d < best!.distance { best = .init(id: other, distance: d) }
        }
        return best
    }

    func recordSignature(_ m: Manifest) {
        guard let sig = m.master?.signature else { return }
        let dir = "\(layout.signatures)/\(Sanitizer.component(m.sku, fallback: "unknown"))"
        try? FileOps.makeDirectory(dir)
        try? AtomicFile.write(Data(sig.utf8), to: "\(dir)/\(m.id)")
    }

    func noteFailure(_ id: String, _ step: String, _ f: StepFailure) {
        lastError = "\(id) failed at \(step): \(f.code)"
        log.warning("\(id) failed at \(step): \(f.code): \(f.message)")
    }

    /// Stages with no image work (generate, review) run right here, a bounded number per tick,
    /// in pipeline order so an asset can pass several in the same tick.
    func runInlineSteps() {
        for stage in pipeline.inlineStages {
            guard let handler = handlers.inline[stage.step] else { continue }
            var budget = 200
            while budget > 0, let id = scheduler.next(for: stage.step) {
                budget -= 1
                let claim = layout.claimed(id, by: stage.step)
                guard (try? FileOps.move(layout.asset(id, in: stage.source), claim)) != nil,
                      var m = try? ManifestStore.read(assetDir: claim) else { continue }
                index.claim(id, by: stage.step)
                let outcome = handler(self, &m)
                advance(claim: claim, manifest: &m, step: stage.step, to: outcome.destination, ms: 0, note: outcome.note)
            }
        }
    }

    /// Review's decision on one asset: auto-approved, or held for a person with the reason.
    func reviewDecision(_ m: inout Manifest) -> StageHandlers.Outcome {
        if let source = m.variantOf, let g = m.generated {
            // A person sees everything a machine made up: variants are held, never sampled.
            m.review = VariantGate.review(g, source: source, limits: .init(rule: g.rule.flatMap { config.generate.rules[$0] }))
            markSheet(m.batch)
            log.notice("\(m.id) waits for a person: \(m.review!.reason ?? "")")
            return .init(destination: .review, note: m.review!.status.rawValue)
        }
        let several = ViewIndex(layout: layout).holders(sku: m.sku).count > 1
        let decision = reviewDesk.decide(m, nearest: nearestSibling(m), skuHasSeveralViews: several) { sampleTally(batch: $0) }
        recordSignature(m)
        m.review = decision.record
        markSheet(m.batch)
        if decision.record.status == .exception {
            log.notice("\(m.id) needs a person: \(decision.record.reason ?? "")")
            notices.exception(batch: m.batch, id: m.id, reason: decision.record.reason ?? "")
        }
        return .init(destination: decision.destination, note: decision.record.status.rawValue)
    }

    /// The batch's sample and sharpness so far, from the index (the review desk asks once per batch after a start).
    func sampleTally(batch: String) -> Sampler.Tally {
        var t = Sampler.Tally()
        for q in [Queue.review, .approved, pipeline.done] {
            for e in index.entries(in: q) where e.batch == batch {
                guard let r = e.review else { continue }
                if let s = e.sharpness { t.sharpness.add(key: s.key, value: s.value) }
                if r.sampled { t.passed += 1; t.sampled += 1; t.skus.insert(e.sku) }
                else if r.status == .autoApproved { t.passed += 1 }
            }
        }
        return t
    }
}
