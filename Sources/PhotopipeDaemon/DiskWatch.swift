import Foundation
import PipelineCore

/// Watches the free space under the root (see `DiskGuard`) and keeps the one sentence that
/// `status` and the log show while the disk is full.
final class DiskWatch {
    private var state: DiskGuard
    private let root: String
    private var lastCheck = Date.distantPast
    private(set) var message: String?

    init(root: String, minFreeMB: Int) {
        self.root = root
        state = DiskGuard(minFreeMB: minFreeMB)
    }

    var full: Bool { state.full }

    /// At most once a second; returns what changed.
    func check(now: Date) -> DiskGuard.Change? {
        guard now.timeIntervalSince(lastCheck) >= 1 else { return nil }
        lastCheck = now
        guard let free = DiskGuard.freeBytes(at: root) else { return nil }
        return noted(state.observe(freeBytes: free), free: free, cause: nil)
    }

    /// A write failed with ENOSPC while doing `what`.
    func ranOut(_ what: String) -> DiskGuard.Change? {
        let free = DiskGuard.freeBytes(at: root) ?? 0
        return noted(state.ranOut(freeBytes: free), free: free, cause: what)
    }

    private func noted(_ change: DiskGuard.Change?, free: UInt64, cause: String?) -> DiskGuard.Change? {
        switch change {
        case .filled?:
            let why = cause.map { "a write failed (\($0))" }
                ?? "below limits.min_free_mb = \(state.minFreeBytes >> 20)"
            message = "disk full: \(DiskGuard.describe(free)) free under \(root), \(why); intake and image work are paused until \(DiskGuard.describe(state.needed)) are free"
        case .freed?:
            message = nil
        case nil: break
        }
        return change
    }
}
