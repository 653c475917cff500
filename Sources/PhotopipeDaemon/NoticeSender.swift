import ControlProtocol
import Delivery
import Foundation
import Logging
import PipelineCore

/// Sends notices off the main loop, one at a time: the webhook signed as delivery's are
/// (`X-Photopipe-Event: notice.<event>`), and mail through sendmail. A notice that cannot be sent
/// after three tries is logged and recorded; the pipeline never waits for it.
final class NoticeSender: @unchecked Sendable {
    let settings: NotifySettings
    private let log: Logger
    private let queue = DispatchQueue(label: "photopipe.notify")
    private let host = ProcessInfo.processInfo.hostName

    init(settings: NotifySettings, log: Logger) {
        self.settings = settings
        self.log = log
    }

    /// `done` gets what happened, for the event log (called on the sender's queue).
    func send(_ n: Notice, done: @escaping @Sendable (String, String) -> Void) {
        queue.async { [self] in
            var outcome: [String] = []
            if let url = settings.webhook { outcome.append(post(n, url: url)) }
            if !settings.mailTo.isEmpty { outcome.append(mail(n)) }
            let failed = outcome.contains { $0.hasPrefix("failed") }
            done(failed ? "notify-failed" : "notified", "\(n.event): \(outcome.joined(separator: "; "))")
        }
    }

    private func post(_ n: Notice, url: String) -> String {
        var target = DeliverySettings.Target(name: "notify")
        target.kind = .webhook
        target.url = url
        target.credentials = settings.credentials
        struct Body: Encodable { let event, subject, text: String; let batch: String?; let at: Date; let host: String }
        do {
            let body = try ControlCoding.encoder().encode(Body(event: n.event, subject: n.subject, text: n.text, batch: n.batch, at: n.at, host: host))
            let hook = Webhook(target: target, credentials: try Credentials.load(for: target))
            var wait = 1.0
            for _ in 1..<3 {
                do { try hook.post(body, event: "notice.\(n.event)"); return "webhook sent" } catch let f as DeliveryFailure where !f.permanent {
                    Thread.sleep(forTimeInterval: wait)
                    wait *= 4
                }
            }
            try hook.post(body, event: "notice.\(n.event)")
            return "webhook sent"
        } catch {
            log.warning("notice \(n.event) not posted to \(url): \(error)")
            return "failed: webhook: \(error)"
        }
    }

    private func mail(_ n: Notice) -> String {
        let from = settings.mailFrom ?? "photopipe@\(host)"
        let subject = "[photopipe] \(n.subject)".replacingOccurrences(of: "\n", with: " ")
        let message = "From: \(from)\nTo: \(settings.mailTo.joined(separator: ", "))\nSubject: \(subject)\n"
            + "Content-Type: text/plain; charset=utf-8\nAuto-Submitted: auto-generated\n\n\(n.text)\n"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: settings.sendmail)
        p.arguments = ["-t", "-i"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do {
            try p.run()
            input.fileHandleForWriting.write(Data(message.utf8))
            try input.fileHandleForWriting.close()
        } catch {
            log.warning("notice \(n.event) not mailed: cannot run \(settings.sendmail): \(error)")
            return "failed: mail: cannot run \(settings.sendmail)"
        }
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate(); return "failed: mail: \(settings.sendmail) did not finish in 30 s" }
        guard p.terminationStatus == 0 else {
            log.warning("notice \(n.event) not mailed: \(settings.sendmail) exited \(p.terminationStatus)")
            return "failed: mail: \(settings.sendmail) exited \(p.terminationStatus)"
        }
        return "mailed to \(settings.mailTo.count)"
    }
}
