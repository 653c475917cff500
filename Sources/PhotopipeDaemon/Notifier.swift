import CSystem
import Foundation

/// sd_notify: READY, STATUS, WATCHDOG, STOPPING. Does nothing outside systemd.
final class Notifier {
    private var lastStatus = ""
    private var lastPing = Date.distantPast
    private let watchdogInterval: Double?
    /// Started by systemd (Type=notify): only then is a status line worth making.
    let active = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil

    init() {
        if let usec = ProcessInfo.processInfo.environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0 {
            watchdogInterval = usec / 1e6 / 2
        } else {
            watchdogInterval = nil
        }
    }

    func ready() { _ = pp_sd_notify("READY=1\nSTATUS=ready") }
    func stopping() { _ = pp_sd_notify("STOPPING=1\nSTATUS=stopping") }

    func status(_ text: String) {
        guard text != lastStatus else { return }
        lastStatus = text
        _ = pp_sd_notify("STATUS=\(text)")
    }

    func watchdog(healthy: Bool) {
        guard let interval = watchdogInterval, healthy else { return }
        let now = Date()
        guard now.timeIntervalSince(lastPing) >= interval else { return }
        lastPing = now
        _ = pp_sd_notify("WATCHDOG=1")
    }
}
