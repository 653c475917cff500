import Foundation

/// Puts the pipeline's directories back into a consistent state. Run at start
/// and after an inotify overflow: claimed-but-unfinished work goes back to the
/// queue it came from, half-made assets are finished or undone, and the caller
/// then schedules everything that waits. Crash recovery and overflow recovery
/// are this one function.
public struct Reconciler {
    public let layout: Layout

    public init(layout: Layout) { self.layout = layout }

    public struct Report: Equatable, Sendable {
        public var returnedFiles = 0
        public var returnedAssets = 0
        public var finishedStaging = 0
        public var discardedStaging = 0
        public var quarantined = 0
        public var problems: [String] = []
        public init() {}
    }

    /// `inFlight` lists claims that are being worked on right now (after an overflow,
    /// not at start): they are left alone.
    public func run(inFlight: Set<String> = []) -> Report {
        var report = Report()
        let fm = FileManager.default
        returnClaimedFiles(&report, inFlight: inFlight)
        for stage in layout.pipeline.stages.dropFirst() {
            let dir = layout.work(stage.step)
            for id in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !id.hasPrefix(".") {
                let from = "\(dir)/\(id)"
                if inFlight.contains(from) { continue }
                let to = layout.asset(id, in: stage.source)
                do { try FileOps.move(from, to); report.returnedAssets += 1 }
                catch { report.problems.append("\(error)") }
            }
        }
        finishStaging(&report, inFlight: inFlight)
        return report
    }

    /// `.work/ingest/<batch>/<name>` → `inbox/<batch>/<name>`.
    private func returnClaimedFiles(_ report: inout Report, inFlight: Set<String>) {
        let fm = FileManager.default
        let base = layout.work(layout.pipeline.intake.step)
        for batch in (try? fm.contentsOfDirectory(atPath: base)) ?? [] {
            let claimedDir = "\(base)/\(batch)"
            let inboxDir = "\(layout.dir(layout.pipeline.intake.source))/\(batch)"
            for name in (try? fm.contentsOfDirectory(atPath: claimedDir)) ?? [] {
                let from = "\(claimedDir)/\(name)"
                if inFlight.contains(from) { continue }
                do {
                    try FileOps.makeDirectory(inboxDir)
                    try FileOps.move(from, "\(inboxDir)/\(FileOps.freeName(in: inboxDir, for: name))")
                    report.returnedFiles += 1
                } catch { report.problems.append("\(error)") }
            }
            if inFlight.isEmpty { rmdir(claimedDir) }
        }
    }

    /// An asset under `.work/new/` whose original already sits in originals/ was
    /// interrupted after the original moved: finish it. Otherwise the source file
    /// is still claimed (and was just returned to the inbox): discard the half-made directory.
    private func finishStaging(_ report: inout Report, inFlight: Set<String>) {
        let fm = FileManager.default
        for id in (try? fm.contentsOfDirectory(atPath: layout.staging)) ?? [] where !id.hasPrefix(".") {
            let dir = "\(layout.staging)/\(id)"
            if inFlight.contains(dir) { continue }
            if let manifest = try? ManifestStore.read(assetDir: dir), manifest.variantOf != nil {
                // A variant half-published: its source went back to its queue and makes it again.
                try? fm.removeItem(atPath: dir)
                report.discardedStaging += 1
            } else if let manifest = try? ManifestStore.read(assetDir: dir),
               FileOps.exists("\(layout.root)/\(manifest.original)") {
                let target = manifest.error == nil ? layout.pipeline.intake.destination : .failed
                do {
                    try HashIndex(layout: layout).record(manifest.sha256, id: id)
                    try FileOps.move(dir, layout.asset(id, in: target))
                    report.finishedStaging += 1
                } catch { report.problems.append("\(error)") }
            } else if FileOps.exists("\(dir)/\(ManifestStore.fileName)") && (try? ManifestStore.read(assetDir: dir)) == nil {
                // A manifest this version cannot read: keep it for a person rather than guess.
                let q = "\(layout.work)/quarantine"
                try? FileOps.makeDirectory(q)
                do { try FileOps.move(dir, "\(q)/\(FileOps.freeName(in: q, for: id))"); report.quarantined += 1 }
                catch { report.problems.append("\(error)") }
            } else {
                // Interrupted before the original moved: the source file is still claimed.
                try? fm.removeItem(atPath: dir)
                report.discardedStaging += 1
            }
        }
    }
}

/// sha256 → asset id, kept as symlinks under originals/.sha256, so "have we seen
/// these bytes?" is one lstat and nothing is held in memory.
public struct HashIndex: Sendable {
    public let layout: Layout
    public init(layout: Layout) { self.layout = layout }

    public func assetID(for sha256: String) -> String? {
        let p = "\(layout.hashIndex)/\(sha256)"
        return try? FileManager.default.destinationOfSymbolicLink(atPath: p)
    }

    public func record(_ sha256: String, id: String) throws {
        let p = "\(layout.hashIndex)/\(sha256)"
        if symlink(id, p) != 0 && errno != EEXIST { throw FileSystemError("cannot index \(sha256)") }
    }
}
