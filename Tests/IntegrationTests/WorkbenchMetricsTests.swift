import Foundation
import PipelineCore
import XCTest

/// `/metrics` after a known run, parsed by Prometheus's own client library: the stage counts
/// are `pipectl status`'s, every shot's retouch was timed once, the planted defect is counted
/// under its gate, and a killed worker shows up as one restart.
final class WorkbenchMetricsTests: XCTestCase {
    func testMetricsMatchTheRunAndCountAKilledWorker() throws {
        let site = try WorkbenchSite(review: "")
        defer { site.cleanUp() }
        try site.start()
        let d = site.daemon
        let shots = try WorkbenchSite.shots()
        // The four clean frames and the one too small: four go through, one waits as an exception.
        let src = NSTemporaryDirectory() + "pp-metrics-\(getpid())"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: src) }
        let tooSmall = try XCTUnwrap(shots.exceptions.first { $0.value == "resolution" }?.key)
        for name in shots.clean + [tooSmall] { try FileManager.default.copyItem(atPath: "\(shots.dir)/\(name)", toPath: "\(src)/\(name)") }
        let n = shots.clean.count + 1

        let before = try site.metrics()
        XCTAssertEqual(before["photopipe_up"]?[""], 1)
        XCTAssertEqual(before["photopipe_worker_restarts_total"]?[""], 0, "no worker has ended yet")
        XCTAssertNil(before["photopipe_step_duration_seconds_count"]?["step=retouch"], "nothing retouched yet")

        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/day-1/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 180, poll: 0.3) {
            d.assets(in: .export).count == shots.clean.count && d.assets(in: .review).count == 1
                && (try? d.status())?.inProgress.values.reduce(0, +) == 0
        }, "export \(d.assets(in: .export).count), review \(d.assets(in: .review).count), failed \(d.assets(in: .failed).count)\n\(d.log.suffix(3000))")

        let m = try site.metrics()
        let status = try d.status()
        let stages = (m["photopipe_assets"] ?? [:]).reduce(into: [String: Int]()) { out, kv in
            out[String(kv.key.dropFirst("stage=".count))] = Int(kv.value)
        }
        XCTAssertEqual(stages, status.stages, "photopipe_assets{stage} against pipectl status")
        XCTAssertEqual(stages["export"], shots.clean.count)
        XCTAssertEqual(stages["review"], 1)
        let cli = d.pipectl(["status"])
        XCTAssertEqual(cli.status, 0, cli.err)
        for (stage, count) in status.stages where count > 0 {
            XCTAssertNotNil(cli.out.range(of: "\(stage)\\W+\(count)\\b", options: .regularExpression), "\(stage) \(count) in\n\(cli.out)")
        }

        XCTAssertEqual(m["photopipe_step_duration_seconds_count"]?["step=retouch"], Double(n), "every shot retouched once")
        XCTAssertEqual(m["photopipe_step_duration_seconds_bucket"]?["le=+Inf,step=retouch"], Double(n))
        let retouchSeconds = try XCTUnwrap(m["photopipe_step_duration_seconds_sum"]?["step=retouch"])
        XCTAssertGreaterThan(retouchSeconds, 0)
        XCTAssertLessThan(retouchSeconds, 180 * Double(n))
        // Buckets are cumulative: never fewer below a larger bound.
        let buckets = (m["photopipe_step_duration_seconds_bucket"] ?? [:]).filter { $0.key.hasSuffix("step=retouch") }
            .compactMap { kv -> (Double, Double)? in
                guard let le = kv.key.split(separator: ",").first(where: { $0.hasPrefix("le=") })?.dropFirst(3) else { return nil }
                guard let bound = le == "+Inf" ? Double.infinity : Double(le) else { return nil }
                return (bound, kv.value)
            }.sorted { $0.0 < $1.0 }
        XCTAssertGreaterThan(buckets.count, 2)
        XCTAssertEqual(buckets.map(\.1), buckets.map(\.1).sorted(), "cumulative buckets: \(buckets)")

        XCTAssertEqual(m["photopipe_review_exceptions"]?["gate=resolution"], 1, "\(m["photopipe_review_exceptions"] ?? [:])")
        XCTAssertEqual(m["photopipe_review_exceptions"]?.values.reduce(0, +), 1, "no clean frame is counted")
        XCTAssertEqual(m["photopipe_review_waiting"]?[""], 1)
        XCTAssertEqual(m["photopipe_worker_restarts_total"]?[""], 0)
        XCTAssertEqual(m["photopipe_workers"]?["state=idle"], 2)
        XCTAssertGreaterThanOrEqual(m["photopipe_events_total"]?.values.reduce(0, +) ?? 0, Double(n))

        // kill -9 one worker: the pool starts another, and the counter says so.
        let workers = children(of: d.pid).filter { pid in
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return cmdline.split(separator: "\0").dropFirst().first == "worker"
        }
        XCTAssertEqual(workers.count, 2, "the daemon's children: \(children(of: d.pid))")
        let victim = try XCTUnwrap(workers.first)
        XCTAssertEqual(kill(victim, SIGKILL), 0)
        var restarts: Double?
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.5) {
            restarts = (try? site.metrics())?["photopipe_worker_restarts_total"]?[""]
            return restarts == 1
        }, "photopipe_worker_restarts_total is \(restarts ?? -1) after a kill\n\(d.log.suffix(2000))")
        XCTAssertTrue(waitUntil(timeout: 30) { children(of: d.pid).count == 2 && !children(of: d.pid).contains(victim) },
                      "a new worker replaced \(victim): \(children(of: d.pid))")
        let after = try site.metrics()
        XCTAssertEqual(after["photopipe_step_duration_seconds_count"]?["step=retouch"], Double(n), "the kill timed no step")
    }
}
