/// Settings given on the daemon's command line over those of its config file (`--root`,
/// `--socket`): applied at start and again to every reloaded config.
public struct ConfigOverrides: Sendable, Equatable {
    public var root: String?
    public var socket: String?

    public init(root: String? = nil, socket: String? = nil) {
        self.root = root
        self.socket = socket
    }

    public func apply(to config: inout Config) {
        if let root { config.root = root }
        if let socket { config.socketPath = socket }
    }
}
