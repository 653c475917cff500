import Foundation
import PipelineCore

/// Keeps each batch's contact sheet current. A review decision marks the batch; the sheet is
/// rewritten by a `photopiped contact-sheet` child (it decodes thumbnails, which the supervisor
/// never does), one batch at a time and at most every `sheetInterval` seconds per batch.
extension Supervisor {
    static let sheetInterval: TimeInterval = 3

    func markSheet(_ batch: String) { sheetDirty.insert(batch) }

    func serviceContactSheets(_ now: Date) {
        if let (batch, child) = sheetChild {
            if child.isRunning { return }
            sheetChild = nil
            if child.terminationStatus != 0 {
                log.warning("contact sheet for batch \(batch) not written (exit \(child.terminationStatus)); trying again with the next decision")
            }
        }
        guard let batch = sheetDirty.first(where: { now.timeIntervalSince(sheetLastRun[$0] ?? .distantPast) >= Self.sheetInterval }) else { return }
        sheetDirty.remove(batch)
        sheetLastRun[batch] = now
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: Self.executable)
        child.arguments = ["contact-sheet", "--root", layout.root, batch]
        child.standardOutput = FileHandle.nullDevice
        do { try child.run(); sheetChild = (batch, child) }
        catch { log.warning("cannot start the contact-sheet writer: \(error)") }
    }

    /// After a start: every batch with assets waiting in review gets its sheet (re)written.
    func markSheetsOfWaitingBatches() {
        for id in layout.assets(in: .review) {
            if let m = try? ManifestStore.read(assetDir: layout.asset(id, in: .review)) { markSheet(m.batch) }
        }
    }
}
