import ControlProtocol
import Foundation
import PipelineCore
import Review
import Workbench

/// The workbench's side of the main loop: what a page asks of the index, and `/metrics`.
extension Supervisor {
    /// Runs `body` on the main loop and waits for its answer (called from a web request thread);
    /// nil when the loop does not answer within `timeout`.
    func onMainLoop<T>(timeout: Double = 10, _ body: @escaping (Supervisor) -> T) -> T? {
        let slot = ValueSlot<T>()
        mailbox.post(.mainLoop(MainLoopTask { slot.fulfil(body($0)) }))
        return slot.wait(timeout: timeout)
    }

    func startWorkbench() throws {
        events.observe { [unowned self] e in
            metrics.observe(e)
            guard web != nil, let id = e.asset else { return }
            let entry = index.entry(id)
            let data = WebEventData(id: id, batch: entry?.batch, stage: e.to ?? entry.map { $0.queue.rawValue }, event: e.event)
            if let json = try? JSONEncoder().encode(data) { webHub.publish(event: "changed", data: String(decoding: json, as: UTF8.self)) }
        }
        openWorkbench()
    }

    /// Listens on `[web] listen` with the config's people; a port that cannot be bound is logged and
    /// shown by `status`, and the pipeline goes on without its workbench (pipectl still reviews).
    func openWorkbench() {
        sheets.access = ContactSheet.Access(socket: config.socketPath)
        guard let listen = config.web.listen else { return }
        let server = WebServer(router: workbenchRouter(), hub: webHub, log: log)
        do { try server.start(host: listen.host, port: listen.port) } catch {
            lastError = "the workbench is not running: \(error)"
            log.error("\(lastError!)")
            return
        }
        web = server
        sheets.access.workbench = config.web.publicURL ?? "http://\(server.boundAddress)"
        log.notice("workbench listening on http://\(server.boundAddress)/")
    }

    func workbenchRouter() -> WorkbenchRouter {
        let bridge = WorkbenchBridge(supervisor: self, layout: layout, previews: previewRunner)
        return WorkbenchRouter(settings: config.web, sessions: webSessions, throttle: webThrottle, backend: bridge,
                               healthy: { [bridge] in bridge.mainLoopAnswers() })
    }

    /// A reload that changed `[web]`: the sessions of anyone whose name, password or role changed
    /// end, so a removed reviewer cannot go on deciding; new settings answer the next request. Only
    /// a new address opens the listener again (open pages then reconnect their live stream).
    func reopenWorkbench(after old: WebSettings) {
        let new = config.web
        if old.proxyUserHeader != new.proxyUserHeader || old.proxyAddress != new.proxyAddress || old.proxyRole != new.proxyRole {
            webSessions.endAll()
        } else {
            for (name, user) in old.users where new.users[name] != user { webSessions.end(user: name) }
        }
        webSessions.use(idle: new.sessionHours * 3600)
        if let web, old.listen == new.listen {
            web.router = workbenchRouter()
            sheets.access.workbench = new.publicURL ?? "http://\(web.boundAddress)"
        } else {
            stopWorkbench()
            openWorkbench()
        }
        log.notice("workbench settings reloaded")
    }

    /// A decided asset's previews and crops go: the cache then holds what reviewers still look at,
    /// not every asset ever zoomed into (a page that asks again gets them made anew).
    func forgetPreviews(_ id: String) {
        try? FileManager.default.removeItem(atPath: WorkbenchPreview(root: layout.root).directory(asset: id))
    }

    func stopWorkbench() {
        web?.stop()
        web = nil
        previewRunner.stopIdle()
    }

    /// Per batch, its counts from the index.
    func workbenchBatches() -> [BatchRow] {
        // Variants waiting, per batch, from the review queue alone (not every batch's every asset).
        var variants: [String: Int] = [:]
        for e in index.entries(in: .review) where e.variantOf != nil { variants[e.batch, default: 0] += 1 }
        return index.batches.sorted { ($0.value.lastArrival ?? .distantPast) > ($1.value.lastArrival ?? .distantPast) }.map { name, b in
            var row = BatchRow(batch: name)
            row.total = b.atRest.values.reduce(b.inProgress, +)
            row.waiting = b.review.waiting
            row.exceptions = b.review.exceptions
            row.sampled = b.review.sampled
            row.autoApproved = b.review.autoApproved
            row.approved = b.review.approvedByPerson
            row.rejected = b.review.rejected
            row.exported = b.atRest[pipeline.done] ?? 0
            row.failed = b.atRest[.failed] ?? 0
            row.generated = variants[name] ?? 0
            return row
        }
    }

    /// A batch's assets: where each is now (the page reads their manifests itself, off the loop).
    func workbenchListing(_ batch: String) -> [(key: String, queue: Queue, inProgress: Bool)] {
        index.entries(batch: batch).map { ($0.key, $0.queue, $0.inProgress != nil) }
    }

    func metricsText() -> String {
        var p = PrometheusText()
        p.family("photopipe_up", "gauge", "1 while the daemon's main loop answers.")
        p.sample("photopipe_up", 1)
        p.family("photopipe_uptime_seconds", "gauge", "Seconds since the daemon started.")
        p.sample("photopipe_uptime_seconds", clock.now().timeIntervalSince(startedAt))
        p.family("photopipe_paused", "gauge", "1 while paused (pipectl pause).")
        p.sample("photopipe_paused", paused ? 1 : 0)
        let s = status()
        p.family("photopipe_assets", "gauge", "Assets at rest per stage directory (inbox: files settling or ready).")
        for (stage, n) in s.stages.sorted(by: { $0.key < $1.key }) { p.sample("photopipe_assets", [("stage", stage)], Double(n)) }
        p.family("photopipe_assets_in_progress", "gauge", "Assets a step is working on now.")
        for step in pipeline.steps { p.sample("photopipe_assets_in_progress", [("step", step.rawValue)], Double(s.inProgress[step.rawValue] ?? 0)) }
        p.family("photopipe_step_duration_seconds", "histogram", "Wall time of each finished step, dispatch to result.")
        for (step, h) in metrics.stepSeconds.sorted(by: { $0.key < $1.key }) { p.histogram("photopipe_step_duration_seconds", [("step", step)], h) }
        p.family("photopipe_review_exceptions", "gauge", "Exceptions waiting in review, per failed gate (an asset counts once per gate).")
        var byGate: [String: Int] = [:]
        for e in index.entries(in: .review) where e.review?.status == .exception {
            for g in e.review?.failedGates ?? [] { byGate[g, default: 0] += 1 }
        }
        for (gate, n) in byGate.sorted(by: { $0.key < $1.key }) { p.sample("photopipe_review_exceptions", [("gate", gate)], Double(n)) }
        p.family("photopipe_review_waiting", "gauge", "Assets waiting for a person in review.")
        p.sample("photopipe_review_waiting", Double(index.count(in: .review)))
        p.family("photopipe_delivery_files", "gauge", "Delivery records' files per target and outcome.")
        for (target, counts) in delivery.countsByTarget.sorted(by: { $0.key < $1.key }) {
            for (outcome, n) in counts.sorted(by: { $0.key < $1.key }) where n > 0 {
                p.sample("photopipe_delivery_files", [("target", target), ("outcome", outcome)], Double(n))
            }
        }
        p.family("photopipe_workers", "gauge", "Worker processes by state.")
        p.sample("photopipe_workers", [("state", "busy")], Double(pool.busy))
        p.sample("photopipe_workers", [("state", "idle")], Double(pool.idle))
        p.family("photopipe_worker_restarts_total", "counter", "Workers started again after one ended (crash, kill, memory cap, retirement).")
        p.sample("photopipe_worker_restarts_total", Double(pool.restarts))
        p.family("photopipe_queue_oldest_age_seconds", "gauge", "Age (since arrival) of the asset that has waited longest in each stage directory.")
        let now = clock.now()
        for q in pipeline.assetQueues where q != .failed && q != pipeline.done {
            let age = index.oldest(in: q).map { now.timeIntervalSince($0.arrivedAt) } ?? 0
            p.sample("photopipe_queue_oldest_age_seconds", [("queue", q.rawValue)], max(0, age))
        }
        p.family("photopipe_events_total", "counter", "Events recorded since the daemon started, by kind.")
        for (event, n) in metrics.events.sorted(by: { $0.key < $1.key }) { p.sample("photopipe_events_total", [("event", event)], Double(n)) }
        p.family("photopipe_workbench_streams", "gauge", "Open live-update streams of workbench pages.")
        p.sample("photopipe_workbench_streams", Double(webHub.count))
        return p.text
    }
}

struct WebEventData: Encodable {
    let id: String
    let batch: String?
    let stage: String?
    let event: String
}

/// Work a web thread hands to the main loop.
final class MainLoopTask: @unchecked Sendable {
    let run: (Supervisor) -> Void
    init(_ run: @escaping (Supervisor) -> Void) { self.run = run }
}

/// Where a web thread waits for a value from the main loop.
final class ValueSlot<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: T?
    func fulfil(_ v: T) { value = v; done.signal() }
    func wait(timeout: Double) -> T? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return value
    }
}
