import CSystem
import ArgumentParser
import Foundation
import Imaging
import PhotopipeDaemon
import PipelineCore
import Review

/// `photopiped contact-sheet`: (re)writes a batch's contact sheet. The daemon runs it on its own
/// as review decisions come in; a person can run it by hand too.
struct ContactSheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact-sheet",
        abstract: "Write a batch's contact sheet (index.html, thumbnails, one JPEG) under review/contact-sheets/<batch>/.")
    @Option(help: "The daemon's root folder.") var root: String
    @Argument(help: "The batch.") var batch: String
    @Flag(help: "Rewrite the page and thumbnails only, not the JPEG of all thumbnails.") var noImage = false
    @Option(help: "Internal: a file listing the batch's assets (queue, tab, directory name per line), so only they are read.")
    var assets: String?
    @Option(help: "The control socket the page's pipectl commands name (left out when it is pipectl's default).") var socket: String?
    @Option(help: "The workbench's address (http://host:port); each card links to the batch's page there.") var workbench: String?
    @Option(help: "Cap this process's memory (MB); 0 for none.") var memoryMb = 0
    @Option(help: .hidden) var parent: Int32 = 0

    func run() throws {
        // Started by the daemon: never outlive it, and stop when it says so.
        if parent > 0 && pp_die_with_parent(parent) != 0 { throw ExitCode(1) }
        signal(SIGTERM, SIG_DFL)
        if memoryMb > 0 { _ = pp_limit_memory(UInt64(memoryMb) * 1024 * 1024) }
        try Vips.start(threads: 1)
        let listing = try assets.map { ContactSheetWriter.Listing(text: try String(contentsOfFile: $0, encoding: .utf8)) }
        print(try ContactSheetWriter(layout: Layout(root: root)).write(batch: batch, image: !noImage, listing: listing,
                                                                               access: ContactSheetWriter.access(socket: socket, workbench: workbench, batch: batch)))
    }
}
