import ArgumentParser
import Foundation
import Imaging
import Logging
import ControlProtocol
import PhotopipeDaemon
import PipelineCore

@main
struct Photopiped: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photopiped",
        abstract: "Watches a studio inbox and takes product photos to marketplace-ready files.",
        discussion: """
            Exit status:
              0   run: stopped on SIGTERM or SIGINT after the work in flight;
                  check-config: the file is fine
              1   run: cannot start (root, socket, catalogue, workers, web);
                  process, export, generate: some file failed;
                  hash-password: no password, or the two differ
              64  usage: an unknown option, a missing or bad argument;
                  process, export and generate also refuse a bad --config
                  with 64
              78  the config is refused (EX_CONFIG): run with a bad --config;
                  check-config with a bad key or value, a missing catalogue
                  or delivery folder
            """,
        version: photopipeVersion,
        subcommands: [Run.self, Worker.self, CheckConfig.self, Process.self, GenerateCommand.self, ExportCommand.self, ContactSheetCommand.self, PreviewCommand.self,
                      HashPasswordCommand.self],
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
        let overrides = ConfigOverrides(root: root, socket: socket)
        overrides.apply(to: &cfg)
        let supervisor: Supervisor
        do { supervisor = try buildDaemon(config: cfg, configPath: config, logger: log) }
        catch { log.critical("cannot start: \(error)"); throw ExitCode(1) }
        supervisor.commandLineOverrides = overrides
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
            let cfg = try ConfigLoader.load(path: path)
            if let catalog = cfg.catalogPath {
                do { _ = try Catalog.load(path: catalog) } catch { throw Refusal("\(path): 'ingest.catalog' \(catalog): \(error)") }
            }
            if let problem = HostCheck.errors(cfg).first { throw Refusal("\(path): \(problem)") }
            for w in HostCheck.warnings(cfg) { FileHandle.standardError.write(Data("\(path): warning: \(w)\n".utf8)) }
            print("\(path): ok")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(78)
        }
    }

    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
