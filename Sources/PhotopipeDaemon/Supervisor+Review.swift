import ControlProtocol
import Foundation
import PipelineCore

/// A person's decisions on assets waiting in review/: approve (by asset or whole batch),
/// reject with a reason, and the list of everything waiting for a specialist. Every decision
/// records who (the socket peer), when and why, in the manifest and the event log.
extension Supervisor {
    /// Names are asset ids or batches. A named asset is approved whatever held it; a batch
    /// approves its held and sampled assets, and its exceptions only with `includeExceptions`.
    func approve(_ names: [String], includeExceptions: Bool, _ peer: Peer) -> Response {
        guard !names.isEmpty, names.allSatisfy({ Sanitizer.component($0) == $0 }) else {
            return .failure("name asset ids or batches (see `pipectl list review`)")
        }
        let waitingIDs = layout.assets(in: .review)
        var approved: [String] = [], left = 0
        var unknown: [String] = []
        for name in names {
            if waitingIDs.contains(name) {
                if decide(name, approve: true, reason: nil, peer) { approved.append(name) }
                continue
            }
            var matched = false
            for id in waitingIDs where !approved.contains(id) {
                guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .review)), m.batch == name else { continue }
                matched = true
                if m.review?.status == "exception" && !includeExceptions { left += 1; continue }
                if decide(id, approve: true, reason: "approved with batch \(name)", peer) { approved.append(id) }
            }
            if !matched { unknown.append(name) }
        }
        if approved.isEmpty && left == 0 {
            return .failure("nothing waiting in review for \(unknown.joined(separator: ", "))")
        }
        var text = "approved \(approved.count)"
        if left > 0 { text += "; \(left) exception\(left == 1 ? "" : "s") left waiting (name them, or add --include-exceptions)" }
        if !unknown.isEmpty { text += "; nothing waiting for \(unknown.joined(separator: ", "))" }
        return .done(text)
    }

    /// Rejected assets go to failed/ with the reason (the original stays; `pipectl retry` rebuilds them).
    func reject(_ ids: [String], reason: String?, _ peer: Peer) -> Response {
        guard let reason = reason.flatMap({ DescriptiveMetadata.clean($0, limit: 500) }) else {
            return .failure("say why: --reason TEXT (it is kept in the manifest)")
        }
        guard !ids.isEmpty, ids.allSatisfy(AssetID.isValid) else { return .failure("name asset ids (see `pipectl list review`)") }
        let waitingIDs = Set(layout.assets(in: .review))
        let missing = ids.filter { !waitingIDs.contains($0) }
        guard missing.isEmpty else { return .failure("not waiting in review: \(missing.joined(separator: ", "))") }
        let done = ids.filter { decide($0, approve: false, reason: reason, peer) }
        return .done("rejected \(done.count): \(reason)")
    }

    /// Records the decision and moves the asset: to approved/ (then export) or failed/.
    func decide(_ id: String, approve: Bool, reason: String?, _ peer: Peer) -> Bool {
        let path = layout.asset(id, in: .review)
        guard var m = try? ManifestStore.read(assetDir: path) else { return false }
        let who = "uid \(peer.uid)"
        var record = m.review ?? ReviewRecord(status: "approved", gates: [])
        record.status = approve ? "approved" : "rejected"
        record.decidedBy = who
        record.decidedAt = clock.now()
        record.reason = reason ?? record.reason
        m.review = record
        markSheet(m.batch)
        if approve {
            m.history.append(HistoryEntry(step: "review", to: "approved", at: clock.now(), note: "approved by \(who)\(reason.map { ": \($0)" } ?? "")"))
            do {
                try ManifestStore.write(m, assetDir: path)
                try FileOps.move(path, layout.asset(id, in: .approved))
            } catch { log.error("cannot approve \(id): \(error)"); return false }
            waiting[.export]!.append(id)
            self.record(Event(event: "approved", asset: id, from: "review", to: "approved", detail: "\(who)\(reason.map { ": \($0)" } ?? "")"))
            return true
        }
        fail(claim: path, manifest: m, step: .review, code: "rejected", message: "Rejected by \(who): \(reason ?? ""). `pipectl retry` rebuilds it from the original.", attempts: 1)
        return true
    }

    /// Everything waiting for a specialist, oldest first: review exceptions and exported assets
    /// that some channel has no file for.
    func exceptions() -> Response {
        var found: [(Date, AssetSummary)] = []
        for id in layout.assets(in: .review) {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .review)), m.review?.status == "exception" else { continue }
            found.append((m.review?.decidedAt ?? m.arrivedAt,
                          AssetSummary(id: id, stage: "review", batch: m.batch, sku: m.sku, view: m.view, note: m.review?.reason)))
        }
        for id in ((try? FileManager.default.contentsOfDirectory(atPath: layout.exportIssues)) ?? []) where !id.hasPrefix(".") {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .export)), let issues = m.exportIssues else { continue }
            found.append((m.arrivedAt, AssetSummary(id: id, stage: "export", batch: m.batch, sku: m.sku, view: m.view,
                                                    note: issues.map { "no \($0.channel) file: \($0.message)" }.joined(separator: "; "))))
        }
        var r = Response(ok: true)
        r.assets = found.sorted { $0.0 < $1.0 }.map(\.1)
        return r
    }

    /// `pipectl review`: per batch, how review decided; with a batch, the assets waiting in it.
    func reviewSummary(batch: String?) -> Response {
        if let batch {
            var r = Response(ok: true)
            r.assets = layout.assets(in: .review).compactMap { id in
                guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .review)), m.batch == batch else { return nil }
                let flags = m.master?.retouch?.flags ?? []
                let note = "\(m.review?.status ?? "waiting")\(flags.isEmpty ? "" : " [\(flags.joined(separator: ","))]"): \(m.review?.reason ?? "")"
                return AssetSummary(id: id, stage: "review", batch: m.batch, sku: m.sku, view: m.view, note: note)
            }
            let page = "\(layout.contactSheet(batch: batch))/index.html"
            if FileManager.default.fileExists(atPath: page) { r.message = page }
            return r
        }
        var byBatch: [String: ReviewSummary] = [:]
        for q in [Queue.review, .approved, .export, .failed] {
            for id in layout.assets(in: q) {
                guard let m = try? ManifestStore.read(assetDir: layout.asset(id, in: q)), let rec = m.review else { continue }
                var s = byBatch[m.batch] ?? ReviewSummary(batch: m.batch)
                s.total += 1
                let failed = rec.gates.filter { !$0.passed }
                for g in failed { s.gateFailures[g.gate, default: 0] += 1 }
                if rec.sampled == true { s.sampled += 1 }
                if !failed.isEmpty { s.exceptions += 1 }
                switch rec.status {
                case "auto-approved": s.autoApproved += 1
                case "approved": s.approvedByPerson += 1
                case "rejected": s.rejected += 1
                default: break
                }
                if q == .review { s.waiting += 1 }
                byBatch[m.batch] = s
            }
        }
        var r = Response(ok: true)
        r.review = byBatch.values.sorted { $0.batch < $1.batch }
        if FileManager.default.fileExists(atPath: layout.contactSheets) { r.message = layout.contactSheets }
        return r
    }
}
