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
        previews.warm()
        var read: [(Manifest, Queue)] = []
        read.reserveCapacity(listing.count)
        var clean = 0
        for item in listing {
            let dir = item.inProgress ? nil : layout.asset(item.key, in: item.queue)
            // An asset a step holds, or one that moved on since, is read where it is now.
            guard let path = dir.flatMap({ FileManager.default.fileExists(atPath: "\($0)/manifest.json") ? $0 : nil }) ?? layout.locate(item.key)?.path,
                  let m = try? ManifestStore.read(assetDir: path) else { continue }
            if item.queue == .review, !item.inProgress, m.variantOf == nil, m.review?.status != .exception { clean += 1 }
            read.append((m, item.queue))
        }
        var views: [String: Int] = [:]
        for (m, _) in read { if let v = m.view { views[m.id] = v } }
        let cards = read.map { m, queue in AssetCard(m, stage: queue, markup: Self.markup(m), views: views) }
        return BatchView(batch: batch, cleanWaiting: clean, assets: cards)
    }

    /// The last rejection note, with who wrote it and the box they drew.
    static func markup(_ m: Manifest) -> RejectMarkup? {
        m.reviewNotes?.last.map { n in
            RejectMarkup(note: "\(n.by): \(n.note)", box: n.box.map { RejectMarkup.Box(x: $0.x, y: $0.y, w: $0.w, h: $0.h) })
        }
    }

    func assetDir(_ id: String) -> String? { layout.locate(id)?.path }

    func preview(id: String, assetDir: String, kind: PreviewKind) throws -> String {
        switch kind {
        case .thumb:
            let path = "\(assetDir)/thumb.jpg"
            guard FileManager.default.fileExists(atPath: path) else { throw WebServerError("\(id) has no thumbnail yet") }
            return path
        case .master(let w): return try previews.make(asset: id, assetDir: assetDir, kind: .master(w))
        case .original(let w): return try previews.make(asset: id, assetDir: assetDir, kind: .original(w))
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
        case .pause: r = Request(command: .pause)
        case .resume: r = Request(command: .resume)
        case .reload: r = Request(command: .reload)
        }
        let peer = Peer(pid: getpid(), uid: geteuid(), gid: getegid(), person: person)
        guard let resp = supervisor.onMainLoop({ $0.control(r, peer) }) else {
            return ActionReply(ok: false, message: "the daemon did not answer in time; look again before repeating it")
        }
        return ActionReply(ok: resp.ok, message: resp.ok ? (resp.message ?? "done") : (resp.error ?? "refused"))
    }

    func paused() -> Bool? { supervisor.onMainLoop { $0.paused } }

    func mainLoopAnswers() -> Bool { supervisor.onMainLoop(timeout: 2) { _ in true } ?? false }

    func metricsText() -> String? { supervisor.onMainLoop(timeout: 5) { $0.metricsText() } }
}
