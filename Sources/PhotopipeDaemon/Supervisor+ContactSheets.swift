import Foundation
import PipelineCore

/// Keeps each batch's contact sheet current. A review decision marks the batch; the sheet is
/// rewritten by a `photopiped contact-sheet` child (it decodes thumbnails, which the supervisor
/// never does), one batch at a time. While decisions keep coming, only the page is rewritten,
/// at most every `pageInterval` seconds; the JPEG of all thumbnails, which costs a decode per
/// asset, waits until the batch has been quiet for `imageQuiet` seconds.
extension Supervisor {
    static let pageInterval: TimeInterval = 3
    static let imageQuiet: TimeInterval = 10
    /// The writer decodes at most `ContactSheetWriter.maxImageCells` thumbnails into one image.
    static let sheetMemoryMB = 1024

    func markSheet(_ batch: String) {
        sheetMarks[batch] = clock.now()
        sheetPageCurrent.remove(batch)
    }

    func serviceContactSheets(_ now: Date) {
        if let (batch, child) = sheetChild {
            if child.isRunning { return }
            sheetChild = nil
            if child.terminationStatus != 0 {
                log.warning("contact sheet for batch \(batch) not written (exit \(child.terminationStatus)); trying again with the next decision")
            }
        }
        for (batch, mark) in sheetMarks.sorted(by: { $0.value < $1.value }) {
            let quiet = now.timeIntervalSince(mark) >= Self.imageQuiet
            if sheetPageCurrent.contains(batch) {
                guard quiet else { continue }
            } else if now.timeIntervalSince(sheetLastRun[batch] ?? .distantPast) < Self.pageInterval {
                continue
            }
            startSheetWriter(batch, image: quiet)
            if quiet { sheetMarks[batch] = nil; sheetPageCurrent.remove(batch) } else { sheetPageCurrent.insert(batch) }
            sheetLastRun[batch] = now
            return
        }
    }

    func startSheetWriter(_ batch: String, image: Bool) {
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: workerExecutable)
        // The writer reads only the batch's assets, listed from the index; its memory is capped.
        let listing = ContactSheetWriter.Listing(assets: index.entries(batch: batch)
            .filter { $0.review != nil && [.review, .approved, pipeline.done, .failed].contains($0.queue) }
            .map { ($0.queue, $0.key) })
        let list = "\(layout.contactSheet(batch: batch))/.assets"
        do {
            try FileOps.makeDirectory(layout.contactSheet(batch: batch))
            try AtomicFile.write(Data(listing.text.utf8), to: list)
        } catch {
            log.warning("cannot list the assets of batch \(batch) for its contact sheet: \(error)")
            return
        }
        child.arguments = ["contact-sheet", "--root", layout.root, batch, "--assets", list,
                           "--memory-mb", "\(Self.sheetMemoryMB)", "--parent", "\(getpid())"] + (image ? [] : ["--no-image"])
        child.standardOutput = FileHandle.nullDevice
        do { try child.run(); sheetChild = (batch, child) }
        catch { log.warning("cannot start the contact-sheet writer: \(error)") }
    }

    /// On stop: the writer is asked to end (SIGTERM), killed if it does not within 2 s, and reaped.
    /// Its page is written again after the next start.
    func stopSheetWriter() {
        guard let (batch, child) = sheetChild else { return }
        sheetChild = nil
        guard child.isRunning else { return }
        let pid = child.processIdentifier
        child.terminate()
        _ = kill(pid, SIGCONT) // a stopped writer must wake to die
        let deadline = Date().addingTimeInterval(2)
        while child.isRunning && Date() < deadline { usleep(10_000) }
        if child.isRunning { _ = kill(pid, SIGKILL) }
        child.waitUntilExit()
        log.notice("contact sheet for batch \(batch) interrupted by the stop; it is written again after the next start")
    }

}
