import Foundation

/// Failed ingest attempts per inbox file, kept on disk (`.work/attempts/<batch>/<name>`)
/// so a restart does not reset the count and a file that crashes every worker still ends in failed/.
public struct AttemptLedger: Sendable {
    public let layout: Layout
    public init(layout: Layout) { self.layout = layout }

    private func path(batch: String, name: String) -> String { "\(layout.work)/attempts/\(batch)/\(name)" }

    public func count(batch: String, name: String) -> Int {
        let p = path(batch: batch, name: name)
        return (try? String(contentsOfFile: p, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// Adds one attempt and returns the new count.
    @discardableResult
    public func increment(batch: String, name: String) -> Int {
        let n = count(batch: batch, name: name) + 1
        let p = path(batch: batch, name: name)
        try? FileOps.makeDirectory((p as NSString).deletingLastPathComponent)
        try? AtomicFile.write(Data("\(n)\n".utf8), to: p)
        return n
    }

    public func clear(batch: String, name: String) {
        unlink(path(batch: batch, name: name))
    }
}
