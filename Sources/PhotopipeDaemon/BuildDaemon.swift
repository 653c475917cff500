import Foundation
import Logging
import PipelineCore

/// The whole daemon, ready to `run()`: the real binary calls this, and so do tests that run it
/// in-process with their own clock. `workerExecutable` is the binary whose `worker` and
/// `contact-sheet` subcommands do the image work (this process's own binary unless given).
public func buildDaemon(config: Config, root: String? = nil, clock: DaemonClock = SystemClock(),
                        configPath: String? = nil, logger: Logger = Logger(label: "photopiped"),
                        workerExecutable: String? = nil) throws -> Supervisor {
    var config = config
    if let root { config.root = root }
    return try Supervisor(config: config, configPath: configPath, logger: logger, clock: clock, workerExecutable: workerExecutable)
}

extension Supervisor {
    /// Asks a running daemon to stop as SIGTERM does: work in flight finishes, then `run()` returns.
    public func stop() { mailbox.post(.signal(SIGTERM)) }
}
