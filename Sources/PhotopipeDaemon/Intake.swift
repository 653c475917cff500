import CSystem
import Foundation
import Logging
import PipelineCore

/// The inbox: which files exist, when their writers are done, claiming them for ingest, putting
/// them back, and the files it gave up on or will never take. Events are only hints; the
/// directory is the queue.
final class Intake {
    /// A claimed inbox file on its way to becoming an asset.
    struct Item: Hashable {
        let batch: String
        let name: String
        let arrivedAt: Date
        /// The inbox folder the frame came from, where its XMP sidecar waits.
        var inboxDir: String?
    }

    enum ClaimError: Error, CustomStringConvertible {
        case cannotMove(String, Error)
        var description: String {
            switch self { case .cannotMove(let rel, let e): "cannot claim \(rel): \(e)" }
        }
    }

    let root: String
    /// inbox/ and the `[watch.folder.NAME]` folders, each with its batch rule.
    private(set) var folders: [WatchFolder] = []
    private let claimRoot: String
    private let clock: DaemonClock
    private let log: Logger
    private let record: (Event) -> Void
    /// A file left in the inbox a person must act on: `status`'s last error.
    var reportProblem: (String) -> Void = { _ in }
    private var filter: InboxFilter
    private var settle: SettleTracker
    private var checkOpenWriters: Bool
    /// Settled files, oldest first, with what each looked like when it settled (checked again at claim).
    private var ready = OrderedSet<String>()
    private var readySnapshots: [String: SettleTracker.Snapshot] = [:]
    /// Files given up on: left alone until their size or mtime changes.
    private var parked: [String: SettleTracker.Snapshot] = [:]
    private var reportedNotImage = Set<String>()

    init(root: String, claimRoot: String, config: Config, clock: DaemonClock, log: Logger, record: @escaping (Event) -> Void) {
        self.root = root
        self.claimRoot = claimRoot
        self.clock = clock
        self.log = log
        self.record = record
        filter = InboxFilter(extensions: config.imageExtensions, maxDepth: config.inboxMaxDepth, skipFolders: config.inboxSkipFolders)
        settle = SettleTracker(quiet: config.settleSeconds)
        checkOpenWriters = config.checkOpenWriters
        folders = Self.folders(root: root, config: config)
    }

    static func folders(root: String, config: Config) -> [WatchFolder] {
        [WatchFolder(name: "inbox", path: root)] + config.watchFolders.values.filter { $0.path != nil }.sorted { $0.name < $1.name }
    }

    /// Every folder watched, inbox/ first.
    var watchedPaths: [String] { folders.compactMap(\.path) }

    /// Files still being written or waiting to settle.
    var settlingCount: Int { settle.count }
    var readyCount: Int { ready.count }
    var hasReady: Bool { !ready.isEmpty }

    /// When the next settling file is due a look, for the main loop's wait.
    func secondsUntilNextDue(now: Date) -> Double? { settle.secondsUntilNextDue(now: now.timeIntervalSince1970) }

    /// New extensions or settle period: files already settling are timed again under the new rule.
    func reload(_ config: Config) {
        folders = Self.folders(root: root, config: config)
        filter = InboxFilter(extensions: config.imageExtensions, maxDepth: config.inboxMaxDepth, skipFolders: config.inboxSkipFolders)
        checkOpenWriters = config.checkOpenWriters
        var tracker = SettleTracker(quiet: config.settleSeconds)
        let now = clock.now().timeIntervalSince1970
        for p in settle.paths { if let s = Self.snapshot(p) { tracker.observe(p, s.snapshot, now: now) } }
        settle = tracker
    }

    /// An event (or a scan) saw `path`: track it if it is a candidate image.
    func changed(_ path: String) {
        guard let (_, rel) = relative(path) else { return }
        switch filter.classify(rel) {
        case .candidate:
            guard let snap = Self.snapshot(path), snap.isRegular else { settle.forget(path); parked[path] = nil; return }
            if ready.contains(path) { return }
            if let p = parked[path] {
                if p == snap.snapshot { return }
                parked[path] = nil
            }
            let now = clock.now().timeIntervalSince1970
            settle.observe(path, snap.snapshot, now: now)
            settle.touch(path, now: now)
        case .temporary, .sidecar, .skipped:
            return
        case .notImage:
            if FileOps.exists(path), reportedNotImage.insert(path).inserted {
                log.notice("not an image by its name; left in the inbox: \(rel)")
                record(Event(event: "ignored-not-image", detail: rel))
            }
        case .ignored(let why):
            if FileOps.exists(path), reportedNotImage.insert(path).inserted {
                log.warning("left in the inbox (\(why)): \(rel)")
                record(Event(event: "ignored-too-deep", detail: "\(rel): \(why)"))
                reportProblem("\(rel) left in the inbox: \(why)")
            }
        }
    }

    /// Walks the inbox and the watch folders (or a new folder in one).
    func scan(under start: String? = nil) {
        let fm = FileManager.default
        var stack = start.map { [$0] } ?? watchedPaths
        while let dir = stack.popLast() {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                let path = "\(dir)/\(name)"
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    if !name.hasPrefix(".") { stack.append(path) }
                } else {
                    changed(path)
                }
            }
        }
    }

    /// Files quiet for the settle period get the final check: unchanged, and no writer holds them open.
    func settleDue(now: Date) {
        let t = now.timeIntervalSince1970
        for path in settle.due(now: t) {
            let snap = Self.snapshot(path)
            let writer = snap == nil ? .unknown : writerState(path)
            if settle.decide(path, current: snap?.snapshot, writer: writer, now: t) == .settled, let snap {
                settle.forget(path)
                ready.append(path)
                readySnapshots[path] = snap.snapshot
            }
        }
    }

    /// The oldest settled file, renamed to `<claimRoot>/<batch>/<name>`; files that vanished or
    /// changed while they waited are skipped (a changed one settles again).
    func claimNext() throws -> (claim: String, item: Item)? {
        while let path = ready.popFirst() {
            if let c = try claim(path) { return c }
        }
        return nil
    }

    private func claim(_ path: String) throws -> (claim: String, item: Item)? {
        let settled = readySnapshots.removeValue(forKey: path)
        guard let (folder, rel) = relative(path), case .candidate(let rawBatch, let name) = filter.classify(rel),
              let snap = Self.snapshot(path) else { return nil }
        guard snap.isRegular, snap.snapshot == settled, writerState(path) != .open else {
            changed(path)
            return nil
        }
        let batch = folder.batchName(folder: rawBatch, modified: snap.mtime)
        let claimDir = "\(claimRoot)/\(batch)"
        do {
            try FileOps.makeDirectory(claimDir)
            let claim = "\(claimDir)/\(FileOps.freeName(in: claimDir, for: name))"
            try FileOps.move(path, claim)
            return (claim, Item(batch: batch, name: name, arrivedAt: snap.mtime, inboxDir: (path as NSString).deletingLastPathComponent))
        } catch {
            throw ClaimError.cannotMove(rel, error)
        }
    }

    /// Puts a claimed file back under `inbox/<batch>/`, where it settles again. Nil when it cannot be moved.
    @discardableResult
    func putBack(_ claim: String, _ item: Item) -> String? {
        let dir = "\(root)/\(item.batch)"
        do {
            try FileOps.makeDirectory(dir)
            let back = "\(dir)/\(FileOps.freeName(in: dir, for: item.name))"
            try FileOps.move(claim, back)
            changed(back)
            return back
        } catch {
            log.error("cannot return \(claim) to the inbox: \(error)")
            return nil
        }
    }

    /// Leaves the file alone until it changes (fixed permissions, a fresh copy).
    func park(_ path: String) {
        settle.forget(path)
        if let snap = Self.snapshot(path) { parked[path] = snap.snapshot }
    }

    /// Files not yet claimed, per batch (as ingest will name it).
    func waitingPerBatch() -> [String: Int] {
        var counts: [String: Int] = [:]
        for path in settle.paths + ready.ordered {
            guard let (folder, rel) = relative(path), case .candidate(let batch, _) = filter.classify(rel) else { continue }
            counts[folder.batchName(folder: batch, modified: clock.now()), default: 0] += 1
        }
        return counts
    }

    /// The watched folder a path lies in (the deepest, should one hold another) and the path below it.
    private func relative(_ path: String) -> (WatchFolder, String)? {
        var best: (WatchFolder, String)?
        for f in folders {
            guard let top = f.path, path.hasPrefix(top + "/") else { continue }
            if best == nil || top.count > (best!.0.path?.count ?? 0) { best = (f, String(path.dropFirst(top.count + 1))) }
        }
        return best
    }

    private func writerState(_ path: String) -> SettleTracker.WriterState {
        guard checkOpenWriters else { return .unknown }
        switch pp_writer_present(path) {
        case 1: return .open
        case 0: return .closed
        default: return .unknown
        }
    }

    struct FileSnapshot {
        let snapshot: SettleTracker.Snapshot
        let isRegular: Bool
        let mtime: Date
    }

    static func snapshot(_ path: String) -> FileSnapshot? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return FileSnapshot(snapshot: .init(size: Int64(st.st_size), mtimeNanos: nanos),
                            isRegular: (st.st_mode & S_IFMT) == S_IFREG,
                            mtime: Date(timeIntervalSince1970: Double(nanos) / 1e9))
    }
}
