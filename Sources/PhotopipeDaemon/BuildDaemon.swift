import Foundation
import Logging
import PipelineCore

/// The whole daemon, ready to `run()`: the real binary calls this, and so do tests that run it
/// in-process with their own clock or an extra stage.
public func buildDaemon(config: Config, root: String? = nil, clock: DaemonClock = SystemClock(),
                        configPath: String? = nil, logger: Logger = Logger(label: "photopiped")) throws -> Supervisor {
    var config = config
    if let root { config.root = root }
    return try Supervisor(config: config, configPath: configPath, logger: logger, clock: clock)
}

extension Supervisor {
    /// Asks a running daemon to stop as SIGTERM does: work in flight finishes, then `run()` returns.
    public func stop() { mailbox.post(.signal(SIGTERM)) }
}
