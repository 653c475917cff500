import ControlProtocol
import Foundation
import PipelineCore

/// A person's decisions on assets waiting in review/: approve (by asset or whole batch),
/// reject with a reason, and the list of everything waiting for a specialist. Every decision
/// records who (the socket peer), when and why, in the manifest and the event log.
extension Supervisor {
    /// Names are asset ids or batches. A named asset is approved whatever held it; a batch
    /// approves its held and sampled assets, its exceptions only with `includeExceptions`, and its
    /// generated variants only with `includeVariants`.
    func approve(_ names: [String], includeExceptions: Bool, includeVariants: Bool = false, _ peer: Peer) -> Response {
        guard !names.isEmpty, names.allSatisfy({ Sanitizer.component($0) == $0 }) else {
            return .failure("name asset ids or batches (see `pipectl list review`)")
        }
        let waiting = index.entries(in: .review).filter { $0.inProgress == nil }
        var approved = Set<String>(), left = 0, variantsLeft = 0
        var unknown: [String] = []
        for name in names {
            if waiting.contains(where: { $0.key == name }) {
                if !approved.contains(name), decide(name, approve: true, reason: nil, peer) { approved.insert(name) }
                continue
            }
            var matched = false
            for e in waiting where e.batch == name && !approved.contains(e.key) {
                matched = true
                if e.variantOf != nil && !includeVariants { variantsLeft += 1; continue }
                if e.review?.status == .exception && !includeExceptions { left += 1; continue }
                if decide(e.key, approve: true, reason: "approved with batch \(name)", peer) { approved.insert(e.key) }
            }
            if !matched { unknown.append(name) }
        }
        if approved.isEmpty && left == 0 && variantsLeft == 0 {
            return .failure("nothing waiting in review for \(unknown.joined(separator: ", "))")
        }
        var text = "approved \(approved.count)"
        if left > 0 { text += "; \(left) exception\(left == 1 ? "" : "s") left waiting (name them, or add --include-exceptions)" }
        if variantsLeft > 0 { text += "; \(variantsLeft) generated variant\(variantsLeft == 1 ? "" : "s") left waiting (name them, or add --variants)" }
        if !unknown.isEmpty { text += "; nothing waiting for \(unknown.joined(separator: ", "))" }
        return .done(text)
    }

    /// Rejected assets go to failed/ with the reason (the original stays; `pipectl retry` rebuilds them).
    func reject(_ ids: [String], reason: String?, box: [Int]? = nil, _ peer: Peer) -> Response {
        guard let reason = reason.flatMap({ DescriptiveMetadata.clean($0, limit: 500) }) else {
            return .failure("say why: --reason TEXT (it is kept in the manifest)")
        }
        guard !ids.isEmpty, ids.allSatisfy(AssetID.isValid) else { return .failure("name asset ids (see `pipectl list review`)") }
        let missing = ids.filter { index.entry($0)?.queue != .review }
        guard missing.isEmpty else { return .failure("not waiting in review: \(missing.joined(separator: ", "))") }
        var mark: NoteBox?
        if let box {
            guard box.count == 4, box[0] >= 0, box[1] >= 0, box[2] > 0, box[3] > 0, ids.count == 1 else {
                return .failure("a box is x, y, width, height in master pixels, for one asset")
            }
            mark = NoteBox(x: box[0], y: box[1], w: box[2], h: box[3])
        }
        let done = ids.filter { decide($0, approve: false, reason: reason, box: mark, peer) }
        return .done("rejected \(done.count): \(reason)")
    }

    /// Records the decision and moves the asset: to approved/ (then export) or failed/.
    func decide(_ id: String, approve: Bool, reason: String?, box: NoteBox? = nil, _ peer: Peer) -> Bool {
        let path = layout.asset(id, in: .review)
        guard var m = try? ManifestStore.read(assetDir: path) else { return false }
        let who = peer.who
        var record = m.review ?? ReviewRecord(status: .approved, gates: [])
        record.status = approve ? .approved : .rejected
        record.decidedBy = who
        record.decidedAt = clock.now()
        record.reason = reason ?? record.reason
        m.review = record
        if !approve, let reason {
            m.reviewNotes = (m.reviewNotes ?? []) + [ReviewNote(by: who, at: clock.now(), note: reason, box: box)]
        }
        markSheet(m.batch)
        if approve {
            m.history.append(HistoryEntry(step: "review", to: "approved", at: clock.now(), note: "approved by \(who)\(reason.map { ": \($0)" } ?? "")"))
            do {
                try ManifestStore.write(m, assetDir: path)
                try FileOps.move(path, layout.asset(id, in: .approved))
            } catch { log.error("cannot approve \(id): \(error)"); return false }
            index.put(m, in: .approved)
            scheduler.enqueue(id, for: .export)
            self.record(Event(event: "approved", asset: id, from: "review", to: "approved", detail: "\(who)\(reason.map { ": \($0)" } ?? "")"))
            forgetPreviews(id)
            return true
        }
        fail(claim: path, manifest: m, step: .review, code: "rejected", message: "Rejected by \(who): \(reason ?? ""). `pipectl retry` rebuilds it from the original.", attempts: 1)
        forgetPreviews(id)
        return true
    }

    /// Everything waiting for a specialist, oldest first: review exceptions and exported assets
    /// that some channel has no file for. Pages with `limit` and `after` (an asset id).
    func exceptions(limit: Int?, after: String?) -> Response {
        var found: [(Date, AssetSummary)] = []
        for e in index.entries(in: .review) where e.review?.status == .exception {
            found.append((e.review?.decidedAt ?? e.arrivedAt,
                          AssetSummary(id: e.key, stage: "review", batch: e.batch, sku: e.sku, view: e.view, note: e.review?.reason)))
        }
        for key in index.withExportIssues {
            guard let e = index.entry(key), e.queue == pipeline.done, e.inProgress == nil else { continue }
            found.append((e.arrivedAt, AssetSummary(id: e.key, stage: "export", batch: e.batch, sku: e.sku, view: e.view, note: e.exportNote)))
        }
        return Self.paged(found.sorted { $0.0 < $1.0 }.map(\.1), limit: limit, after: after)
    }

    /// `pipectl review`: per batch, how review decided; with a batch, the assets waiting in it.
    func reviewSummary(batch: String?, limit: Int?, after: String?) -> Response {
        if let batch {
            let waiting = index.entries(in: .review).filter { $0.batch == batch }.map { e in
                let note = "\(e.review?.status.rawValue ?? "waiting")\(e.flags.isEmpty ? "" : " [\(e.flags.joined(separator: ","))]"): \(e.review?.reason ?? "")"
                return AssetSummary(id: e.key, stage: "review", batch: e.batch, sku: e.sku, view: e.view, note: note)
            }
            var r = Self.paged(waiting, limit: limit, after: after)
            let page = "\(layout.contactSheet(batch: batch))/index.html"
            if FileManager.default.fileExists(atPath: page) { r.message = page }
            return r
        }
        let byBatch = index.batches.values.map(\.review).filter { $0.total > 0 }
        var r = Response(ok: true)
        r.review = byBatch.sorted { $0.batch < $1.batch }
        if FileManager.default.fileExists(atPath: layout.contactSheets) { r.message = layout.contactSheets }
        return r
    }

    /// A page of a list already in order: the entries after `after` (an asset id), at most `limit`;
    /// `next` says where the following page starts.
    static func paged(_ all: [AssetSummary], limit: Int?, after: String?) -> Response {
        var r = Response(ok: true)
        var start = 0
        if let after {
            guard let i = all.firstIndex(where: { $0.id == after }) else {
                return .failure("'\(after)' is not in this list any more; ask again without --after")
            }
            start = i + 1
        }
        let end = limit.map { min(all.count, start + max(1, $0)) } ?? all.count
        r.assets = Array(all[start..<end])
        if end < all.count { r.next = all[end - 1].id }
        return r
    }
}
