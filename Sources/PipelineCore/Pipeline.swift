import Foundation

/// A name in the pipeline (a queue's directory, a step's claim directory): a string on disk and
/// in JSON, a type of its own in code.
public protocol PipelineName: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible where RawValue == String {
    init(rawValue: String)
}

extension PipelineName {
    public init(_ name: String) { self.init(rawValue: name) }
    public var description: String { rawValue }
    public init(from decoder: Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A directory an asset waits in (`root/<name>`). Moving between them is one rename(2).
public struct Queue: PipelineName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let inbox = Queue("inbox")
    public static let ingested = Queue("ingested")
    public static let retouched = Queue("retouched")
    public static let generated = Queue("generated")
    /// Held for a person.
    public static let review = Queue("review")
    public static let approved = Queue("approved")
    /// Done: the asset's channel files are published.
    public static let export = Queue("export")
    public static let failed = Queue("failed")
}

/// The work done between queues; also the name of its claim directory, `.work/<step>/`.
public struct Step: PipelineName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let ingest = Step("ingest")
    public static let retouch = Step("retouch")
    public static let generate = Step("generate")
    /// Not a stage of the list: generate's variant jobs, run by workers when no packshot waits.
    public static let variants = Step("variants")
    public static let review = Step("review")
    public static let export = Step("export")
}

/// One stage of the pipeline: the queue it takes assets from, the queue a finished asset goes
/// to, where it may hold an asset for a person, and where its work runs.
public struct Stage: Sendable, Equatable {
    public enum Runner: Sendable, Equatable {
        /// Image work: in a crash-isolated worker process.
        case worker
        /// Decisions on the manifest only: in the supervisor, a bounded number per tick.
        case inline
    }

    public let step: Step
    public let source: Queue
    public let destination: Queue
    /// A queue where the stage parks assets for a person (review holds exceptions in `review/`).
    public let holds: Queue?
    public let runner: Runner

    public init(_ step: Step, from source: Queue, to destination: Queue, holds: Queue? = nil, runs runner: Runner) {
        self.step = step
        self.source = source
        self.destination = destination
        self.holds = holds
        self.runner = runner
    }
}

/// The pipeline, stated once: queue names, claim directories, dispatch order, worker routing
/// and reconcile are all derived from this ordered list of stages.
public struct Pipeline: Sendable, Equatable {
    public let stages: [Stage]

    public init(_ stages: [Stage]) {
        precondition(!stages.isEmpty, "a pipeline has at least one stage")
        for (a, b) in zip(stages, stages.dropFirst()) {
            precondition(a.destination == b.source, "stage \(b.step) must read the queue \(a.step) fills")
        }
        self.stages = stages
    }

    public static let standard = Pipeline([
        Stage(.ingest, from: .inbox, to: .ingested, runs: .worker),
        Stage(.retouch, from: .ingested, to: .retouched, runs: .worker),
        Stage(.generate, from: .retouched, to: .generated, runs: .inline),
        Stage(.review, from: .generated, to: .approved, holds: .review, runs: .inline),
        Stage(.export, from: .approved, to: .export, runs: .worker),
    ])

    /// The first stage takes files, not assets: its source is the inbox.
    public var intake: Stage { stages[0] }
    /// Where finished assets rest.
    public var done: Queue { stages[stages.count - 1].destination }
    public var steps: [Step] { stages.map(\.step) }

    /// Every queue in pipeline order, the failed queue last.
    public var queues: [Queue] {
        var q = [intake.source]
        for s in stages {
            if let h = s.holds { q.append(h) }
            q.append(s.destination)
        }
        return q + [.failed]
    }

    /// Queues that hold assets (everything but the inbox, which holds files).
    public var assetQueues: [Queue] { queues.filter { $0 != intake.source } }

    public func stage(_ step: Step) -> Stage? { stages.first { $0.step == step } }
    /// Where `step` takes its assets from (a step not in the pipeline is a programming error).
    public func source(of step: Step) -> Queue {
        guard let s = stage(step) else { preconditionFailure("no stage \(step) in the pipeline") }
        return s.source
    }
    public func destination(of step: Step) -> Queue {
        guard let s = stage(step) else { preconditionFailure("no stage \(step) in the pipeline") }
        return s.destination
    }
    /// The stage that takes assets from `queue`, if any.
    public func stage(reading queue: Queue) -> Stage? { stages.first { $0.source == queue } }
    public func queue(named name: String) -> Queue? { queues.first { $0.rawValue == name } }
    public func step(named name: String) -> Step? { steps.first { $0.rawValue == name } }

    /// Worker stages, later ones first, so finished files come out while the inbox is still being read.
    public var workerStagesByPriority: [Stage] { stages.filter { $0.runner == .worker }.reversed() }
    /// Inline stages in pipeline order, so an asset can pass several in one tick.
    public var inlineStages: [Stage] { stages.filter { $0.runner == .inline } }

    /// A copy with `stage` run after `step`: it reads what `step` filled and fills its own queue,
    /// which the stage after it now reads.
    public func inserting(_ step: Step, after previous: Step, fills queue: Queue, runs runner: Runner) -> Pipeline {
        guard let i = stages.firstIndex(where: { $0.step == previous }) else { preconditionFailure("no stage \(previous)") }
        var list = stages
        let before = list[i]
        list.insert(Stage(step, from: before.destination, to: queue, runs: runner), at: i + 1)
        if i + 2 < list.count {
            let next = list[i + 2]
            list[i + 2] = Stage(next.step, from: queue, to: next.destination, holds: next.holds, runs: next.runner)
        }
        return Pipeline(list)
    }
    public typealias Runner = Stage.Runner
}
