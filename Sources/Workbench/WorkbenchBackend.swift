/// What the workbench asks of the daemon. The daemon answers from its index and the files on disk;
/// nil means it did not answer in time.
public protocol WorkbenchBackend: Sendable {
    func batchRows() -> [BatchRow]?
    func batchView(_ batch: String) -> BatchView?
    /// The asset's directory now (it moves between stage folders), or nil when there is none.
    func assetDir(_ id: String) -> String?
    /// A JPEG on disk for the asset; throws with a reason a person can read.
    func preview(id: String, assetDir: String, kind: PreviewKind) throws -> String
    func act(_ action: WorkbenchAction, person: String) -> ActionReply
    /// Whether the pipeline is paused (for an admin's page); nil when the daemon did not answer.
    func paused() -> Bool?
    func metricsText() -> String?
}

public enum PreviewKind: Sendable, Equatable {
    case thumb
    case master(width: Int)
    case original(width: Int)
    case crop(x: Int, y: Int, size: Int)
}

/// A decision or a change asked for from the page; each is one `pipectl` command.
public enum WorkbenchAction: Sendable, Equatable {
    case approveClean(batch: String)
    case approve(ids: [String])
    case reject(id: String, note: String, box: RejectMarkup.Box?)
    case retry(id: String, overrides: [String])
    case rollback(id: String)
    /// An admin's: stop starting new work, start again, read the config file again.
    case pause
    case resume
    case reload

    /// What only an admin may ask for: it changes the pipeline for everyone, not one decision.
    public var changesThePipeline: Bool {
        switch self {
        case .pause, .resume, .reload: true
        default: false
        }
    }
}
