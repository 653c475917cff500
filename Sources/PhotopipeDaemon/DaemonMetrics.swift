import PipelineCore
import Workbench

/// What `/metrics` counts as it happens (step durations, events); the rest is read from the
/// index and the pool when scraped. Owned by the main loop.
struct DaemonMetrics {
    private(set) var stepSeconds: [String: Histogram] = [:]
    private(set) var events: [String: Int] = [:]

    mutating func observe(_ e: Event) {
        events[e.event, default: 0] += 1
        if let step = e.step, let ms = e.ms, e.to != "failed" { stepSeconds[step, default: Histogram()].observe(ms / 1000) }
    }
}
