import Foundation
import Logging
import PipelineCore
import Review

/// Keeps each batch's contact sheet current. A review decision marks the batch; the sheet is
/// rewritten by a `photopiped contact-sheet` child (it decodes thumbnails, which the supervisor
/// never does), one batch at a time, reading only the assets the index lists for that batch.
/// While decisions keep coming, only the page is rewritten, at most every `pageInterval`
/// seconds; the JPEG of all thumbnails, which costs a decode per asset, waits until the batch
/// has been quiet for `imageQuiet` seconds.
final class ContactSheets {
    static let pageInterval: TimeInterval = 3
    static let imageQuiet: TimeInterval = 10
    /// The writer decodes at most `ContactSheetWriter.maxImageCells` thumbnails into one image.
    static let memoryMB = 1024

    private let layout: Layout
    private let executable: String
    private let log: Logger
    /// Batches whose sheet is out of date, with their last decision; those whose page is current
    /// but not their JPEG; when each was last written; the writer running.
    private var marks: [String: Date] = [:]
    private var pageCurrent = Set<String>()
    private var lastRun: [String: Date] = [:]
    private var child: (batch: String, process: Foundation.Process)?
    /// What the pages tell a reader: the socket when not pipectl's default, the workbench's address.
    var access = ContactSheet.Access()

    init(layout: Layout, executable: String, log: Logger) {
        self.layout = layout
        self.executable = executable
        self.log = log
    }

    func mark(_ batch: String, at now: Date) {
        marks[batch] = now
        pageCurrent.remove(batch)
    }

    /// Starts the writer for the batch most overdue, unless one is running; `listing` names a batch's assets.
    func service(now: Date, listing: (String) -> ContactSheetWriter.Listing) {
        if let (batch, process) = child {
            if process.isRunning { return }
            child = nil
            if process.terminationStatus != 0 {
                log.warning("contact sheet for batch \(batch) not written (exit \(process.terminationStatus)); trying again with the next decision")
            }
        }
        for (batch, mark) in marks.sorted(by: { $0.value < $1.value }) {
            let quiet = now.timeIntervalSince(mark) >= Self.imageQuiet
            if pageCurrent.contains(batch) {
                guard quiet else { continue }
            } else if now.timeIntervalSince(lastRun[batch] ?? .distantPast) < Self.pageInterval {
                continue
            }
            start(batch, image: quiet, listing: listing(batch))
            if quiet { marks[batch] = nil; pageCurrent.remove(batch) } else { pageCurrent.insert(batch) }
            lastRun[batch] = now
            return
        }
    }

    private func start(_ batch: String, image: Bool, listing: ContactSheetWriter.Listing) {
        let list = "\(layout.contactSheet(batch: batch))/.assets"
        do {
            try FileOps.makeDirectory(layout.contactSheet(batch: batch))
            try AtomicFile.write(Data(listing.text.utf8), to: list)
        } catch {
            log.warning("cannot list the assets of batch \(batch) for its contact sheet: \(error)")
            return
        }
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["contact-sheet", "--root", layout.root, batch, "--assets", list,
                             "--memory-mb", "\(Self.memoryMB)", "--parent", "\(getpid())"] + (image ? [] : ["--no-image"])
            + (access.socket.map { ["--socket", $0] } ?? []) + (access.workbench.map { ["--workbench", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        do { try process.run(); child = (batch, process) }
        catch { log.warning("cannot start the contact-sheet writer: \(error)") }
    }

    /// On stop: the writer is asked to end (SIGTERM), killed if it does not within 2 s, and reaped.
    /// Its page is written again after the next start.
    func stop() {
        guard let (batch, process) = child else { return }
        child = nil
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        process.terminate()
        _ = kill(pid, SIGCONT) // a stopped writer must wake to die
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { _ = kill(pid, SIGKILL) }
        process.waitUntilExit()
        log.notice("contact sheet for batch \(batch) interrupted by the stop; it is written again after the next start")
    }
}
