import Foundation
import PipelineCore

/// A full disk pauses the pipeline and puts back whatever could not be written; nothing is
/// counted against the asset, and work resumes by itself once space returns.
extension Supervisor {
    func diskChanged(_ change: DiskGuard.Change?) {
        switch change {
        case .filled?:
            let text = disk.message ?? "disk full"
            lastError = text
            log.error("\(text)")
            record(Event(event: "disk-full", detail: text))
        case .freed?:
            log.notice("disk space is back under \(layout.root); work resumes")
            record(Event(event: "disk-space-back"))
            if lastError?.hasPrefix("disk full") == true { lastError = nil }
        case nil: break
        }
    }

    /// A claimed asset whose step could not write for want of space: back to the queue it came
    /// from, unchanged, to be taken again once there is room.
    func putBack(claim: String, id: String, step: Step, what: String) {
        diskChanged(disk.ranOut(what))
        let source = pipeline.source(of: step)
        do {
            try FileOps.move(claim, layout.asset(id, in: source))
            index.move(id, to: source)
            scheduler.enqueue(id, for: step)
        } catch {
            log.error("cannot put \(id) back into \(source) after a full disk: \(error); reconcile will")
        }
    }
}
