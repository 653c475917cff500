import Foundation

public struct Layout: Sendable {
    public let root: String
    public let pipeline: Pipeline

    public init(root: String, pipeline: Pipeline = .standard) {
        self.root = root
        self.pipeline = pipeline
    }

    public func dir(_ queue: Queue) -> String { "\(root)/\(queue.rawValue)" }
    public func asset(_ id: String, in queue: Queue) -> String { "\(dir(queue))/\(id)" }
    public var work: String { "\(root)/.work" }
    public func work(_ step: Step) -> String { "\(work)/\(step.rawValue)" }
    public func claimed(_ id: String, by step: Step) -> String { "\(work(step))/\(id)" }
    /// Assets being assembled by ingest before they appear in `ingested/`.
    public var staging: String { "\(work)/new" }
    public var originals: String { "\(root)/originals" }
    /// sha256 → asset id, one symlink per original: the duplicate check reads no manifest.
    public var hashIndex: String { "\(originals)/.sha256" }
    public var duplicates: String { "\(root)/duplicates" }
    /// Which asset holds which view of a SKU: `originals/.views/<sku>/<view>` → asset id (a symlink).
    public var views: String { "\(originals)/.views" }
    /// Colour signatures of reviewed masters, per SKU: `originals/.signatures/<sku>/<asset>`.
    public var signatures: String { "\(originals)/.signatures" }
    public var eventLog: String { "\(root)/events.jsonl" }
    public func channel(_ name: String) -> String { "\(dir(.export))/\(name)" }
    /// Which asset owns each published name: `export/<channel>/.owners/<file>` → asset id (a symlink).
    public func owners(_ name: String) -> String { "\(channel(name))/.owners" }
    /// Assets whose last export left a channel without a file: `export/.issues/<asset>` (JSON).
    public var exportIssues: String { "\(dir(.export))/.issues" }
    /// One folder per batch with its contact sheet: `index.html`, `thumbs/`, `<batch>.jpg`.
    public var contactSheets: String { "\(dir(.review))/contact-sheets" }
    public func contactSheet(batch: String) -> String { "\(contactSheets)/\(Sanitizer.component(batch, fallback: "batch"))" }

    /// Creates every directory the daemon needs.
    public func create() throws {
        let fm = FileManager.default
        var dirs = pipeline.queues.map(dir) + [work, staging, originals, hashIndex, duplicates]
        dirs += pipeline.steps.map(work)
        for d in dirs { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }

    /// Asset ids waiting in a queue, oldest first by the queue entry's change time.
    public func assets(in queue: Queue) -> [String] {
        let d = dir(queue)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: d) else { return [] }
        var found: [(String, Double)] = []
        for name in names where !name.hasPrefix(".") {
            var st = stat()
            guard lstat("\(d)/\(name)/manifest.json", &st) == 0 else { continue }
            found.append((name, Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9))
        }
        return found.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.0)
    }

    /// Which queue holds an asset now, if any.
    public func locate(_ id: String) -> (queue: Queue?, step: Step?, path: String)? {
        for q in pipeline.assetQueues {
            let p = asset(id, in: q)
            if FileManager.default.fileExists(atPath: "\(p)/manifest.json") { return (q, nil, p) }
        }
        for s in pipeline.steps {
            let p = claimed(id, by: s)
            if FileManager.default.fileExists(atPath: "\(p)/manifest.json") { return (nil, s, p) }
        }
        return nil
    }
}
