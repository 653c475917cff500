import Foundation
import PipelineCore

/// One step of start-up; its `stop` is run in reverse order on the way out.
struct StartupPhase {
    let name: String
    let start: () throws -> Void
    let stop: () -> Void
}

extension Supervisor {
    /// The start order, stated once. Work can only arrive once the queues are known (reconcile),
    /// and workers start last, so nothing is dispatched before the loop runs. Stopping runs the
    /// list backwards: the contact-sheet child and the workers end (and are reaped) first, the
    /// socket closes, the manifests are flushed, and the root is unlocked last.
    var phases: [StartupPhase] {
        [
            StartupPhase(name: "root", start: { [self] in
                try layout.create()
                try lockRoot()
            }, stop: { [self] in
                if lockFD >= 0 { close(lockFD); lockFD = -1 }
            }),
            StartupPhase(name: "event log", start: { [self] in
                if config.eventLog { try events.open(path: layout.eventLog, maxBytes: config.eventLogMaxMB << 20) }
            }, stop: { [self] in
                record(Event(event: "daemon-stopped"))
            }),
            StartupPhase(name: "queues", start: { [self] in
                reconcile(reason: "start")
                requeueVariantJobs()
            }, stop: { [self] in
                channelManifests.flush(now: clock.now(), config: config)
            }),
            // Uploads still in flight at a stop are awaited by the main loop before the phases stop.
            StartupPhase(name: "deliveries", start: { [self] in
                delivery.reportFailure = { [unowned self] in noteDeliveryFailure($0) }
                loadPendingDeliveries()
            }, stop: {}),
            StartupPhase(name: "inbox", start: { [self] in
                intake.reportProblem = { [unowned self] in lastError = $0 }
                let w = InboxWatcher(folders: intake.watchedPaths, mailbox: mailbox)
                try w.start()
                watcher = w
                intake.scan()
            }, stop: { [self] in
                watcher?.stop()
            }),
            StartupPhase(name: "control socket", start: { [self] in
                let s = ControlServer(path: config.socketPath, mailbox: mailbox)
                try s.start(group: config.socketGroup)
                for w in HostCheck.warnings(config) { log.warning("\(w)") }
                server = s
            }, stop: { [self] in
                server?.stop()
            }),
            StartupPhase(name: "workbench", start: { [self] in try startWorkbench() }, stop: { [self] in stopWorkbench() }),
            StartupPhase(name: "signals", start: { [self] in installSignalHandlers() }, stop: {}),
            StartupPhase(name: "workers", start: { [self] in
                pool.start()
            }, stop: { [self] in
                let killed = pool.stop()
                if killed > 0 { log.warning("\(killed) workers did not exit when asked and were killed") }
            }),
            StartupPhase(name: "contact sheets", start: {}, stop: { [self] in sheets.stop() }),
        ]
    }
}

extension Supervisor {
    /// After a reload changed the watch folders: the watcher starts again on the new set (the
    /// library's state is global, so one watcher serves every folder) and they are read once.
    func rewatch() {
        watcher?.stop()
        let w = InboxWatcher(folders: intake.watchedPaths, mailbox: mailbox)
        do {
            try w.start()
            watcher = w
            intake.scan()
            log.notice("watching \(intake.watchedPaths.joined(separator: ", "))")
        } catch {
            watcher = nil
            lastError = "inbox watcher stopped: \(error)"
            log.error("\(lastError!)")
        }
    }
}
