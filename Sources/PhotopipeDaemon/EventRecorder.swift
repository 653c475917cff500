import PipelineCore

/// `events.jsonl`, shared by the services that record what happened; silent until opened (and
/// when the config turns the log off).
final class EventRecorder {
    private var log: EventLog?

    func open(path: String, maxBytes: Int) throws { log = try EventLog(path: path, maxBytes: maxBytes) }

    private var observer: ((Event) -> Void)?

    /// Also hands every event to `observer` (on the main loop, like every record).
    func observe(_ observer: @escaping (Event) -> Void) { self.observer = observer }

    func record(_ e: Event) {
        log?.append(e)
        observer?(e)
    }
}
