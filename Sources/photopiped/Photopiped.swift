import ArgumentParser
import Foundation
import Imaging
import Logging
import PhotopipeDaemon
import PipelineCore

@main
struct Photopiped: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photopiped",
        abstract: "Watches a studio inbox and takes product photos to marketplace-ready files.",
        version: photopipeVersion,
        subcommands: [Run.self, Worker.self, CheckConfig.self, Sample.self, Process.self, ExportCommand.self, ContactSheetCommand.self],
        defaultSubcommand: Run.self)
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the systemd service runs this).")

    @Option(help: "The TOML config file. Without it every key takes its default.")
    var config: String?

    @Option(help: "Override the config's root directory (handy for a temporary root).")
    var root: String?

    @Option(help: "Override the config's control socket path.")
    var socket: String?

    func run() throws {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let log = Logger(label: "photopiped")
        var cfg: Config
        do { cfg = try ConfigLoader.load(path: config) }
        catch { log.critical("config refused: \(error)"); throw ExitCode(78) }
        if let root { cfg.root = root }
        if let socket { cfg.socketPath = socket }
        let supervisor: Supervisor
        do { supervisor = try buildDaemon(config: cfg, configPath: config, logger: log) }
        catch { log.critical("cannot start: \(error)"); throw ExitCode(1) }
        do {
            let code = try supervisor.run()
            if code != 0 { throw ExitCode(code) }
        } catch let e as ExitCode { throw e }
        catch { log.critical("cannot start: \(error)"); throw ExitCode(1) }
    }
}

struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Internal: one image worker, started by the daemon.")
    @Option var memoryMb = 4096
    @Option var vipsThreads = 1
    @Option var parent: Int32 = 0

    func run() throws {
        let code = WorkerMain.run(memoryMB: memoryMb, vipsThreads: vipsThreads, parent: parent)
        if code != 0 { throw ExitCode(code) }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file and exit.")
    @Argument var path: String

    func run() throws {
        do {
            _ = try ConfigLoader.load(path: path)
            print("\(path): ok")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write synthetic studio shots (product on a sweep) with SKU-style names.")
    @Option(help: "Folder to write into.") var out: String
    @Option var count = 12
    @Option var width = 3000
    @Option var height = 2000
    @Option(help: "Views per SKU.") var views = 3
    @Option(help: "First SKU number.") var firstSku = 1001
    @Flag(help: "Plant defects (blurred, too small, clipped highlights, crushed shadows, cut off, white on white, duplicate, a prop on the sweep) in a batch of two views per SKU; prints each file's defect and the gate that must catch it.")
    var planted = false

    func run() throws {
        try Vips.start()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let shots: [PlantedDefects.Shot] = planted
            ? PlantedDefects.shots(count: count, width: width, height: height, firstSku: firstSku)
            : (0..<count).map { i in
                PlantedDefects.Shot(name: String(format: "SKU-%d_%02d.jpg", firstSku + i / views, i % views + 1),
                                    frame: StudioFrame.sample(index: i, width: width, height: height), defect: nil)
            }
        for shot in shots {
            let tmp = "\(out)/.\(shot.name).part"
            try shot.frame.write(jpeg: tmp)
            guard rename(tmp, "\(out)/\(shot.name)") == 0 else { throw DaemonError("cannot write \(out)/\(shot.name)") }
            print(planted ? "\(out)/\(shot.name)\t\(shot.defect.map { "\($0.rawValue)\t\($0.gate)" } ?? "clean")" : "\(out)/\(shot.name)")
        }
    }
}
