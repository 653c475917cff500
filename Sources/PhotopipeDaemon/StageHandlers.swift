import Foundation
import PipelineCore

/// What the supervisor does for each stage of the pipeline. An inline stage decides from the
/// manifest where the asset goes next; a worker stage's reply is committed to the manifest.
/// A new stage is one module, one line in `Pipeline`, and one entry here.
struct StageHandlers {
    struct Outcome {
        var destination: Queue
        var note: String?
    }
    /// Runs in the supervisor on a claimed asset: edits the manifest, says where it goes.
    typealias Inline = (Supervisor, inout Manifest) -> Outcome
    /// Takes a worker's successful reply into the manifest; false when the asset went to failed/ instead.
    typealias Commit = (Supervisor, WorkerReply, _ claim: String, inout Manifest) -> Bool

    var inline: [Step: Inline]
    var commit: [Step: Commit]

    static var standard: StageHandlers { StageHandlers(
        inline: [
            .generate: { s, m in s.generateDecision(&m) },
            .review: { s, m in s.reviewDecision(&m) },
        ],
        commit: [
            .retouch: { _, reply, _, m in m.master = reply.master; return true },
            .export: { s, reply, claim, m in s.finishExport(reply, claim: claim, manifest: &m) },
        ]) }

    /// The same handlers with one more stage's.
    func adding(_ step: Step, inline handler: @escaping Inline) -> StageHandlers {
        var h = self
        h.inline[step] = handler
        return h
    }
}
