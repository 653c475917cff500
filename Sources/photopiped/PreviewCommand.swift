import ArgumentParser
import CSystem
import Foundation
import Imaging
import PhotopipeDaemon

/// `photopiped preview`: one workbench preview of an asset, made unless cached; prints its path.
/// With `--serve`, many: a question per line on stdin, an answer per line on stdout
/// (`WorkbenchPreview.Question`, `Answer`). The daemon's web server keeps such a child
/// (`WorkbenchPreview.Runner`), so a bad image costs this process, never the daemon.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Make (or find cached) a workbench preview under .work/previews/<asset>/ and print its path.")
    @Option(help: "The daemon's root folder.") var root: String
    @Option(help: "The asset's folder (where manifest.json and master.tif are).") var assetDir: String?
    @Option(help: "The asset id.") var asset: String?
    @Option(help: "The master on white, at most this many pixels wide.") var master: Int?
    @Option(help: "The original, upright, at most this many pixels wide.") var original: Int?
    @Option(help: "X,Y,SIZE: a SIZE×SIZE cut of the master at 100 % from its pixel X,Y.") var crop: String?
    @Flag(help: "Answer JSON questions from stdin, one a line, until it ends.") var serve = false
    @Option(help: "Cap this process's memory (MB); 0 for none.") var memoryMb = WorkbenchPreview.Runner.memoryMB
    @Option(help: .hidden) var parent: Int32 = 0

    var kind: WorkbenchPreview.Kind? {
        if let master { return .master(master) }
        if let original { return .original(original) }
        return crop.flatMap(WorkbenchPreview.Kind.crop(parsing:))
    }

    func validate() throws {
        let asked = [master != nil, original != nil, crop != nil].filter { $0 }.count
        if serve {
            guard asked == 0, asset == nil, assetDir == nil else {
                throw ValidationError("--serve takes its questions from stdin, not --asset, --master, --original or --crop")
            }
            return
        }
        guard asset != nil, assetDir != nil else { throw ValidationError("give --asset and --asset-dir (or --serve)") }
        guard asked == 1 else { throw ValidationError("give exactly one of --master, --original, --crop") }
        if let crop, WorkbenchPreview.Kind.crop(parsing: crop) == nil {
            throw ValidationError("--crop takes X,Y,SIZE (whole numbers), not \(crop)")
        }
    }

    func run() throws {
        // Started by the daemon: never outlive it. A serving child is started from a web request's
        // thread, and the parent-death signal follows that thread, not the daemon: it watches for
        // the daemon instead.
        if parent > 0 && (serve ? getppid() != parent : pp_die_with_parent(parent) != 0) { throw ExitCode(1) }
        signal(SIGTERM, SIG_DFL)
        if memoryMb > 0 { _ = pp_limit_memory(UInt64(memoryMb) * 1024 * 1024) }
        do {
            try Vips.start(threads: 1)
            let previews = WorkbenchPreview(root: root)
            if serve { return previews.serve(parent: parent) }
            print(try previews.make(asset: asset!, assetDir: assetDir!, kind: kind!))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
