import Foundation
import PipelineCore

/// Generate's result: each variant a worker made becomes an asset of its own, beside its source,
/// and always waits for a person. The packshot moves on at once; it never waits for its variants.
extension Supervisor {
    /// Where variant jobs wait and run: `.work/variants/<source id>/`, holding links to the
    /// source's master and mask and a copy of its manifest, so the source itself moves on.
    var variantWork: String { "\(layout.work)/variants" }

    /// The generate stage for a packshot: when a rule asks for variants, a variant job is queued
    /// (worked on when no packshot is waiting) and the packshot goes on at once.
    func generateDecision(_ m: inout Manifest) -> StageHandlers.Outcome {
        let rules = config.generate.rules(sku: m.sku, batch: m.batch, view: m.view, catalog: m.catalog)
        guard !rules.isEmpty, m.variantOf == nil, m.master?.retouch != nil else { return .init(destination: .generated, note: nil) }
        let job = "\(variantWork)/\(m.id)"
        let here = layout.claimed(m.id, by: .generate)
        do {
            try? FileManager.default.removeItem(atPath: job)
            try FileOps.makeDirectory(job)
            for file in [m.master!.file, m.master!.retouch!.maskFile] {
                // The source's files are written once and renamed into place: a link is a safe copy.
                guard link("\(here)/\(file)", "\(job)/\(file)") == 0 else { throw DaemonError("cannot link \(file): \(String(cString: strerror(errno)))") }
            }
            try ManifestStore.write(m, assetDir: job)
        } catch {
            try? FileManager.default.removeItem(atPath: job)
            log.error("\(m.id): cannot queue its variants: \(error)")
            lastError = "\(m.id): cannot queue its variants: \(error)"
            return .init(destination: .generated, note: "variants not queued: \(error)")
        }
        scheduler.enqueueVariants(m.id)
        return .init(destination: .generated, note: "variants queued (\(rules.map(\.name).joined(separator: ", ")))")
    }

    /// Variant jobs a stop or a crash interrupted are queued again at start.
    func requeueVariantJobs() {
        for id in (try? FileManager.default.contentsOfDirectory(atPath: variantWork)) ?? [] where !id.hasPrefix(".") {
            scheduler.enqueueVariants(id)
        }
    }

    /// A worker made the variants: each becomes an asset of its own (built in staging, then one
    /// rename into the generated queue), and the job's folder goes. A variant already published
    /// by an earlier run of the same job (a crash in between) is not made twice.
    func finishVariants(_ job: WorkerPool.Job, _ reply: WorkerReply) {
        guard let source = job.assetID, let m = try? ManifestStore.read(assetDir: job.claimPath) else { return }
        if !reply.ok {
            variantsFailed(job, reason: reply.failure.map { "\($0.code): \($0.message)" } ?? "the worker gave no reason")
            return
        }
        var made = 0
        for v in reply.variants ?? [] {
            let built = "\(job.claimPath)/\(v.dir)"
            if let found = layout.locate(v.id) {
                // Given up on before and made now: it replaces the failure. Anything else (a
                // variant a person rejected, or one already published) stays as it is.
                let givenUp = found.queue == .failed && (try? ManifestStore.read(assetDir: found.path))?.error?.step == Step.generate.rawValue
                guard givenUp else { made += 1; continue }
                dropGivenUpVariant(v.id, at: found.path)
            }
            if publishVariant(v, from: built, source: m) { made += 1 }
        }
        for issue in reply.exportIssues ?? [] {
            log.warning("\(source): a variant was not made: \(issue.code): \(issue.message)")
            lastError = "\(source): a variant was not made: \(issue.code)"
            record(Event(event: "variant-failed", asset: source, step: "generate", detail: "\(issue.code): \(issue.message)"))
            if let id = issue.variant, layout.locate(id) == nil { publishGivenUpVariant(id, issue: issue, source: m) }
        }
        log.info("\(source): \(made) variant\(made == 1 ? "" : "s") made")
        try? FileManager.default.removeItem(atPath: job.claimPath)
    }

    /// A variant job that crashed its worker or failed is tried again, up to `limits.max_attempts`.
    func variantsFailed(_ job: WorkerPool.Job, reason: String) {
        guard let source = job.assetID else { return }
        let attempts = (variantAttempts[source] ?? 0) + 1
        variantAttempts[source] = attempts
        if attempts < config.maxAttempts {
            scheduler.enqueueVariants(source)
            return
        }
        variantAttempts[source] = nil
        log.error("\(source): gave up making its variants after \(attempts) attempts: \(reason)")
        lastError = "\(source): no variants: \(reason)"
        record(Event(event: "variant-failed", asset: source, step: "generate", detail: reason))
        try? FileManager.default.removeItem(atPath: job.claimPath)
    }

    private func publishVariant(_ v: VariantOutput, from built: String, source m: Manifest) -> Bool {
        let staging = "\(layout.staging)/\(v.id)"
        var vm = variantManifest(v.id, source: m)
        vm.generated = v.generated
        vm.master = MasterInfo(file: VariantOutput.sceneFile, width: v.width, height: v.height)
        vm.view = nextVariantView(sku: m.sku, id: v.id)
        vm.viewSource = "variant"
        let g = v.generated
        vm.history = [HistoryEntry(step: "generate", to: Queue.generated.rawValue, at: clock.now(), ms: g.timings["total"],
                                   note: "variant of \(m.id): \(g.generator)\(g.scene.map { " on \($0)" } ?? "")")]
        do {
            try FileOps.move(built, staging)
            try ManifestStore.write(vm, assetDir: staging)
            try FileOps.move(staging, layout.asset(v.id, in: .generated))
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            log.error("cannot publish variant \(v.id) of \(m.id): \(error)")
            lastError = "\(error)"
            return false
        }
        index.put(vm, in: .generated)
        scheduler.arrived(v.id, in: .generated)
        record(Event(event: "variant", asset: v.id, step: "generate", to: Queue.generated.rawValue, detail: "of \(m.id)"))
        return true
    }

    /// A variant's manifest before its record: the source's SKU, batch and catalogue row, `variantOf` the source.
    func variantManifest(_ id: String, source m: Manifest) -> Manifest {
        var vm = Manifest(id: id, batch: m.batch, sourceName: m.sourceName, original: m.original, sha256: m.sha256,
                          bytes: m.bytes, sku: m.sku, view: nil, skuSource: m.skuSource, arrivedAt: clock.now())
        vm.variantOf = m.id
        vm.catalog = m.catalog
        vm.descriptive = m.descriptive
        vm.camera = m.camera
        vm.nameColour = m.nameColour
        return vm
    }

    /// Variants take the SKU's views after every view held so far (never the first: that is the
    /// packshot channels show as the main image).
    private func nextVariantView(sku: String, id: String) -> Int {
        let views = ViewIndex(layout: layout)
        let held = views.holders(sku: sku)
        if let mine = held.first(where: { $0.value == id })?.key { return mine }   // claimed before a crash
        var v = max(2, (held.keys.max() ?? 1) + 1)
        while case .clash = views.claim(sku: sku, view: v, id: id) { v += 1 }
        return v
    }
}
