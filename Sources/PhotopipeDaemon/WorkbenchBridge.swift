import ControlProtocol
import Foundation
import PipelineCore
import Workbench

/// Answers the workbench's requests on its own threads: questions of state go to the main loop
/// (as control requests do), manifests and images are read from disk here, previews are made by
/// a child process.
final class WorkbenchBridge: WorkbenchBackend, @unchecked Sendable {
    private unowned let supervisor: Supervisor
    private let layout: Layout
    private let previews: WorkbenchPreview.Runner

    init(supervisor: Supervisor, layout: Layout, previews: WorkbenchPreview.Runner) {
        self.supervisor = supervisor; self.layout = layout; self.previews = previews
    }

    func batchRows() -> [BatchRow]? { supervisor.onMainLoop { $0.workbenchBatches() } }

    func batchView(_ batch: String) -> BatchView? {
        guard let listing = supervisor.onMainLoop({ $0.workbenchListing(batch) }) else { return nil }
        var cards: [AssetCard] = []
        cards.reserveCapacity(listing.count)
        var clean = 0
        for item in listing {
            let dir = item.inProgress ? nil : layout.asset(item.key, in: item.queue)
            // An asset a step holds is read where it is claimed; one that moved on since is read where it went.
            guard let path = dir.flatMap({ FileManager.default.fileExists(atPath: "\($0)/manifest.json") ? $0 : nil }) ?? layout.locate(item.key)?.path,
                  let m = try? ManifestStore.read(assetDir: path) else { continue }
            let stage = item.inProgress ? "in progress" : item.queue.rawValue
            let card = Self.card(m, key: item.key, stage: stage)
            if item.queue == .review, !item.inProgress, m.variantOf == nil, m.review?.status != .exception { clean += 1 }
            cards.append(card)
        }
        return BatchView(batch: batch, cleanWaiting: clean, assets: BatchView.grouped(cards))
    }

    static func card(_ m: Manifest, key: String, stage: String) -> AssetCard {
        let gates = (m.review?.gates ?? []).map { GateLine(gate: $0.gate, passed: $0.passed, words: GateWords.describe($0)) }
        let note = m.reviewNotes?.last
        let markup = note.map { n in
            RejectMarkup(note: "\(n.by): \(n.note)", box: n.box.map { RejectMarkup.Box(x: $0.x, y: $0.y, w: $0.w, h: $0.h) })
        }
        return AssetCard(id: key, sku: m.sku, view: m.view, stage: stage, status: m.review?.status.rawValue ?? (m.error != nil ? "failed" : "waiting"),
                         sampled: m.review?.sampled == true, variantOf: m.variantOf, decidedBy: m.review?.decidedBy,
                         reason: m.review?.reason ?? m.error?.message, gates: gates, markup: markup,
                         master: m.master.map { AssetCard.Size(width: $0.width, height: $0.height) })
    }

    func assetDir(_ id: String) -> String? { layout.locate(id)?.path }

    func preview(id: String, assetDir: String, kind: PreviewKind) throws -> String {
        switch kind {
        case .thumb:
            let path = "\(assetDir)/thumb.jpg"
            guard FileManager.default.fileExists(atPath: path) else { throw WebServerError("\(id) has no thumbnail yet") }
            return path
        case .master(let w): return try previews.make(asset: id, assetDir: assetDir, kind: .master(width: w))
        case .original(let w): return try previews.make(asset: id, assetDir: assetDir, kind: .original(width: w))
        case .crop(let x, let y, let size): return try previews.make(asset: id, assetDir: assetDir, kind: .crop(x: x, y: y, size: size))
        }
    }

    func act(_ action: WorkbenchAction, person: String) -> ActionReply {
        var r: Request
        switch action {
        case .approveClean(let batch):
            r = Request(command: .approve)
            r.names = [batch]
        case .approve(let ids):
            r = Request(command: .approve)
            r.names = ids
        case .reject(let id, let note, let box):
            r = Request(command: .reject)
            r.names = [id]
            r.reason = note
            r.box = box.map { [$0.x, $0.y, $0.w, $0.h] }
        case .retry(let id, let overrides):
            r = Request(command: .retry, asset: id)
            r.overrides = overrides.isEmpty ? nil : overrides
        case .rollback(let id):
            r = Request(command: .rollback, asset: id)
        }
        let peer = Peer(pid: getpid(), uid: geteuid(), gid: getegid(), person: person)
        guard let resp = supervisor.onMainLoop({ $0.control(r, peer) }) else {
            return ActionReply(ok: false, message: "the daemon did not answer in time; look again before repeating it")
        }
        return ActionReply(ok: resp.ok, message: resp.ok ? (resp.message ?? "done") : (resp.error ?? "refused"))
    }

    func metricsText() -> String? { supervisor.onMainLoop(timeout: 5) { $0.metricsText() } }
}
