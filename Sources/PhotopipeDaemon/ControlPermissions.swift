import ControlProtocol

/// Who may run which control command. Root and the service user may run everything; members of
/// the review group may also approve and reject (a person's decisions, nothing that changes the
/// pipeline itself); members of the socket group may read.
enum ControlPermissions {
    static let reviewCommands: Set<Command> = [.approve, .reject]

    static func permits(_ command: Command, uid: UInt32, gids: [UInt32], euid: UInt32, socketGroup: UInt32?, reviewGroup: UInt32?) -> Bool {
        if uid == 0 || uid == euid { return true }
        if command.changesState {
            guard reviewCommands.contains(command), let reviewGroup else { return false }
            return gids.contains(reviewGroup)
        }
        guard let socketGroup else { return false }
        return gids.contains(socketGroup)
    }

    static func denial(_ command: Command, euid: UInt32, socketGroup: String, reviewGroup: String) -> String {
        if reviewCommands.contains(command) {
            return "permission denied: '\(command.rawValue)' needs root, the service user (uid \(euid)) or membership in the '\(reviewGroup)' group"
        }
        if command.changesState {
            return "permission denied: '\(command.rawValue)' changes the pipeline and needs root or the service user (uid \(euid)); "
                + "members of the '\(reviewGroup)' group may only approve and reject"
        }
        return "permission denied: you need to be in the '\(socketGroup)' group to read the pipeline"
    }
}
