import ControlProtocol
import Foundation
import PipelineCore

/// `[notify]`: the conditions are looked at every two seconds on the main loop; sending happens
/// on the sender's own queue.
extension Supervisor {
    func serviceNotices(_ now: Date) {
        guard config.notify.enabled, now.timeIntervalSince(lastNoticeCheck) >= 2 else { return }
        lastNoticeCheck = now
        for w in batchWork().sorted(by: { $0.batch < $1.batch }) {
            let machine = w.stepsLeft.values.contains { $0 > 0 }
            if let n = notices.batch(w.batch, waitingForPerson: w.waitingForPerson, machineWorkLeft: machine, now: now) { emit(n) }
        }
        for n in notices.dueExceptions(now: now) { emit(n) }
        if let n = notices.dueDeliveryFailures(now: now) { emit(n) }
        var s = statvfs()
        if statvfs(layout.root, &s) == 0, s.f_blocks > 0 {
            let free = Double(s.f_bavail) / Double(s.f_blocks) * 100
            if let n = notices.disk(freePercent: free, path: layout.root, now: now) { emit(n) }
        }
    }

    func noteDeliveryFailure(_ text: String) {
        lastError = text
        if let n = notices.deliveryFailed(text, now: clock.now()) { emit(n) }
    }

    func emit(_ n: Notice) {
        log.notice("notice: \(n.subject)")
        let mailbox = self.mailbox
        noticeSender.send(n) { event, detail in
            mailbox.post(.mainLoop(MainLoopTask { $0.record(Event(event: event, detail: detail)) }))
        }
    }

    /// After a reload: new addresses and events; what was already told stays told.
    func useNotifySettings(_ fresh: NotifySettings) {
        notices.settings = fresh
        if fresh != noticeSender.settings { noticeSender = NoticeSender(settings: fresh, log: log) }
    }
}
