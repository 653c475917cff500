import CSystem
import CShims
import Foundation
import PipelineCore

/// Inbox: which files exist, when their writers are done, and claiming them.
extension Supervisor {
    var inboxRoot: String { layout.dir(.inbox) }

    func relativeInboxPath(_ path: String) -> String? {
        let prefix = inboxRoot + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return String(path.dropFirst(prefix.count))
    }

    /// An event (or a scan) saw `path`: track it if it is a candidate image.
    func inboxChanged(_ path: String) {
        guard let rel = relativeInboxPath(path) else { return }
        switch filter.classify(rel) {
        case .candidate:
            guard let snap = snapshot(path), snap.isRegular else { settle.forget(path); parked[path] = nil; return }
            if readyFiles.contains(path) { return }
            if let p = parked[path] {
                if p == snap.snapshot { return }
                parked[path] = nil
            }
            settle.observe(path, snap.snapshot, now: clock.now().timeIntervalSince1970)
            settle.touch(path, now: clock.now().timeIntervalSince1970)
        case .temporary, .sidecar:
            return
        case .notImage:
            if FileOps.exists(path), reportedNotImage.insert(path).inserted {
                log.notice("not an image by its name; left in the inbox: \(rel)")
                record(Event(event: "ignored-not-image", detail: rel))
            }
        case .ignored(let why):
            if FileOps.exists(path), reportedNotImage.insert(path).inserted {
                log.notice("left in the inbox (\(why)): \(rel)")
            }
        }
    }

    /// Walks inbox/ (or a new folder in it): the directory is the queue, events are only hints.
    func scanInbox(under start: String? = nil) {
        let fm = FileManager.default
        var stack = [start ?? inboxRoot]
        while let dir = stack.popLast() {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                let path = "\(dir)/\(name)"
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    if !name.hasPrefix(".") { stack.append(path) }
                } else {
                    inboxChanged(path)
                }
            }
        }
    }

    struct FileSnapshot {
        let snapshot: SettleTracker.Snapshot
        let isRegular: Bool
        let mtime: Date
    }

    func snapshot(_ path: String) -> FileSnapshot? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return FileSnapshot(snapshot: .init(size: Int64(st.st_size), mtimeNanos: nanos),
                            isRegular: (st.st_mode & S_IFMT) == S_IFREG,
                            mtime: Date(timeIntervalSince1970: Double(nanos) / 1e9))
    }

    /// Files quiet for the settle period get the final check: unchanged, and no writer holds them open.
    func settleInbox(_ now: Date) {
        let t = now.timeIntervalSince1970
        for path in settle.due(now: t) {
            let snap = snapshot(path)
            let writer = snap == nil ? .unknown : writerState(path)
            if settle.decide(path, current: snap?.snapshot, writer: writer, now: t) == .settled, let snap {
                settle.forget(path)
                readyFiles.append(path)
                readySnapshots[path] = snap.snapshot
            }
        }
    }

    func writerState(_ path: String) -> SettleTracker.WriterState {
        guard config.checkOpenWriters else { return .unknown }
        switch pp_writer_present(path) {
        case 1: return .open
        case 0: return .closed
        default: return .unknown
        }
    }

    /// Renames a settled inbox file to `.work/ingest/<batch>/<name>`. Nil when it vanished.
    func claimInboxFile(_ path: String) -> (claim: String, item: InboxItem)? {
        let settled = readySnapshots.removeValue(forKey: path)
        guard let rel = relativeInboxPath(path), case .candidate(let rawBatch, let name) = filter.classify(rel),
              let snap = snapshot(path) else { return nil }
        // It may have waited in the queue a long time: still the same regular file, and nobody writing it?
        guard snap.isRegular, snap.snapshot == settled, writerState(path) != .open else {
            inboxChanged(path)
            return nil
        }
        let batch = Sanitizer.component(rawBatch ?? InboxFilter.dayBatch(snap.mtime), fallback: "unsorted")
        let claimDir = "\(layout.work(.ingest))/\(batch)"
        do {
            try FileOps.makeDirectory(claimDir)
            let claim = "\(claimDir)/\(FileOps.freeName(in: claimDir, for: name))"
            try FileOps.move(path, claim)
            return (claim, InboxItem(batch: batch, name: name, arrivedAt: snap.mtime, inboxDir: (path as NSString).deletingLastPathComponent))
        } catch {
            log.error("cannot claim \(rel): \(error)")
            lastError = "\(error)"
            return nil
        }
    }
}
