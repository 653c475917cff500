import ArgumentParser
import Foundation
import Imaging
import PhotopipeDaemon
import PipelineCore

/// `photopiped contact-sheet`: (re)writes a batch's contact sheet. The daemon runs it on its own
/// as review decisions come in; a person can run it by hand too.
struct ContactSheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact-sheet",
        abstract: "Write a batch's contact sheet (index.html, thumbnails, one JPEG) under review/contact-sheets/<batch>/.")
    @Option(help: "The daemon's root folder.") var root: String
    @Argument(help: "The batch.") var batch: String
    @Flag(help: "Rewrite the page and thumbnails only, not the JPEG of all thumbnails.") var noImage = false

    func run() throws {
        try Vips.start(threads: 1)
        print(try ContactSheetWriter(layout: Layout(root: root)).write(batch: batch, image: !noImage))
    }
}
