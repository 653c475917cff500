import PipelineCore

/// Which asset each step takes next. Assets wait per step in arrival order; worker steps are
/// served later-first, so finished files come out while the inbox is still being read.
struct Scheduler {
    private let pipeline: Pipeline
    private var waiting: [Step: OrderedSet<String>] = [:]
    /// Sources whose variants are still to be made: served last, so packshots never wait for them.
    private var variantJobs = OrderedSet<String>()

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
        for s in pipeline.steps { waiting[s] = OrderedSet() }
    }

    /// The asset waits for `step` (once, however often it is named).
    mutating func enqueue(_ id: String, for step: Step) { waiting[step]!.append(id) }

    /// The asset now rests in `queue`: it waits for the stage that reads it, if any.
    mutating func arrived(_ id: String, in queue: Queue) {
        if let next = pipeline.stage(reading: queue) { enqueue(id, for: next.step) }
    }

    /// The next asset for a worker stage, later stages first (never intake: inbox files are the
    /// intake's own queue).
    mutating func nextForWorkers() -> (stage: Stage, id: String)? {
        for stage in pipeline.workerStagesByPriority where stage != pipeline.intake {
            if let id = waiting[stage.step]!.popFirst() { return (stage, id) }
        }
        return nil
    }

    mutating func next(for step: Step) -> String? { waiting[step]!.popFirst() }

    mutating func enqueueVariants(_ source: String) { variantJobs.append(source) }
    mutating func nextVariants() -> String? { variantJobs.popFirst() }

    var hasInlineWork: Bool { pipeline.inlineStages.contains { !waiting[$0.step]!.isEmpty } }
    var isEmpty: Bool { waiting.values.allSatisfy(\.isEmpty) && variantJobs.isEmpty }
    var count: Int { waiting.values.reduce(variantJobs.count) { $0 + $1.count } }
}
