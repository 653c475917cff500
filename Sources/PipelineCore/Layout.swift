import Foundation

/// Directories an asset waits in. Moving between them is one rename(2).
public enum Queue: String, CaseIterable, Codable, Sendable {
    case inbox, ingested, retouched, generated, review, approved, export, failed
}

/// The work done between queues. Each step claims an asset from its source by
/// renaming it into `.work/<step>/` and, when done, renames it into its destination.
public enum Step: String, CaseIterable, Codable, Sendable {
    case ingest, retouch, generate, review, export

    public var source: Queue {
        switch self {
        case .ingest: .inbox
        case .retouch: .ingested
        case .generate: .retouched
        case .review: .generated
        case .export: .approved
        }
    }

    /// Where a finished asset goes (review may route to `.review` instead, for a person).
    public var destination: Queue {
        switch self {
        case .ingest: .ingested
        case .retouch: .retouched
        case .generate: .generated
        case .review: .approved
        case .export: .export
        }
    }

    /// Steps that decode images run in worker processes; the rest run in the supervisor.
    public var needsWorker: Bool { self == .ingest || self == .retouch || self == .export }
}

public struct Layout: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

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
        var dirs = Queue.allCases.map(dir) + [work, staging, originals, hashIndex, duplicates]
        dirs += Step.allCases.map(work)
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
        for q in Queue.allCases where q != .inbox {
            let p = asset(id, in: q)
            if FileManager.default.fileExists(atPath: "\(p)/manifest.json") { return (q, nil, p) }
        }
        for s in Step.allCases {
            let p = claimed(id, by: s)
            if FileManager.default.fileExists(atPath: "\(p)/manifest.json") { return (nil, s, p) }
        }
        return nil
    }
}
