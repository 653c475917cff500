import Foundation
import PipelineCore

/// The supervisor's side of the contact sheets: a decision marks its batch, and the index says
/// which assets a batch's sheet shows.
extension Supervisor {
    func markSheet(_ batch: String) { sheets.mark(batch, at: clock.now()) }

    func serviceContactSheets(_ now: Date) {
        let reviewed = Self.reviewedQueues(pipeline)
        sheets.service(now: now) { batch in
            ContactSheetWriter.Listing(assets: index.entries(batch: batch)
                .filter { $0.review != nil && reviewed.contains($0.queue) }
                .map { ($0.queue, $0.key) })
        }
    }
}
