import Foundation

/// How far each batch is and when its machine work should be done: the worker steps its assets
/// still need, at the mean time each step has taken, shared among the workers, batches served in
/// the order they arrived. Assets waiting for a person are counted apart: no clock runs for them.
public enum ProgressEstimate {
    public struct Work: Sendable, Equatable {
        public var batch: String
        public var firstArrival: Date?
        public var total = 0
        /// Exported or failed: nothing more will happen to them on their own.
        public var done = 0
        public var waitingForPerson = 0
        /// Assets (and inbox files) that still need each worker step.
        public var stepsLeft: [Step: Int] = [:]

        public init(batch: String, firstArrival: Date?) {
            self.batch = batch
            self.firstArrival = firstArrival
        }

        public var active: Bool { done + waitingForPerson < total }
    }

    /// The worker steps an asset resting in `queue` still goes through (review passing it on).
    public static func workerSteps(after queue: Queue, in pipeline: Pipeline) -> [Step] {
        guard let first = pipeline.stages.firstIndex(where: { $0.source == queue }) else { return [] }
        return pipeline.stages[first...].filter { $0.runner == .worker }.map(\.step)
    }

    /// The worker steps from `step` on, `step` itself included (it is running: counted whole).
    public static func workerSteps(from step: Step, in pipeline: Pipeline) -> [Step] {
        guard let first = pipeline.stages.firstIndex(where: { $0.step == step }) else { return [] }
        return pipeline.stages[first...].filter { $0.runner == .worker }.map(\.step)
    }

    /// Seconds until each active batch's machine work is done; nil where a step it needs has no
    /// measured time yet.
    public static func eta(_ work: [Work], meanSeconds: [Step: Double], workers: Int) -> [String: Double?] {
        var out: [String: Double?] = [:]
        var ahead = 0.0
        var known = true
        let order = work.filter(\.active).sorted { ($0.firstArrival ?? .distantFuture, $0.batch) < ($1.firstArrival ?? .distantFuture, $1.batch) }
        for w in order {
            for (step, n) in w.stepsLeft where n > 0 {
                guard let mean = meanSeconds[step] else { known = false; continue }
                ahead += Double(n) * mean
            }
            out[w.batch] = known ? ahead / Double(max(1, workers)) : nil
        }
        return out
    }

    /// "4m 10s", "1h 05m", "35s".
    public static func words(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s >= 3600 { return String(format: "%dh %02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm %02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
