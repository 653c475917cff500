/// `[notify]`: who is told when something needs a person — a signed webhook (as delivery's) and
/// mail through the system's sendmail — and of what.
public struct NotifySettings: Codable, Sendable, Equatable {
    public static let events = ["review-waiting", "exceptions", "delivery-failed", "disk-low"]

    public var webhook: String?
    /// A file with `secret = …` (as a webhook delivery target's).
    public var credentials: String?
    public var mailTo: [String] = []
    public var mailFrom: String?
    public var sendmail = "/usr/sbin/sendmail"
    public var on = NotifySettings.events
    /// Below this share of the root's disk free, `disk-low` is sent (once, until it recovers).
    public var diskFreePercent = 10.0
    /// At most one `exceptions` notice per batch this often; the exceptions in between are counted in.
    public var exceptionsEveryMinutes = 10.0

    public init() {}

    public var enabled: Bool { webhook != nil || !mailTo.isEmpty }
    public func wants(_ event: String) -> Bool { enabled && on.contains(event) }

    static let keys: [String: ConfigLoader.Setter] = [
        "notify.webhook": {
            let u = try ConfigLoader.string($1)
            guard u.hasPrefix("http://") || u.hasPrefix("https://") else { throw ConfigLoader.ValueError(message: "must be an http:// or https:// URL, not '\(u)'") }
            $0.notify.webhook = u
        },
        "notify.credentials": { $0.notify.credentials = try ConfigLoader.string($1) },
        "notify.mail_to": {
            let to = try ConfigLoader.stringArray($1)
            if let bad = to.first(where: { !$0.contains("@") || $0.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "," }) }) {
                throw ConfigLoader.ValueError(message: "must hold mail addresses, not '\(bad)'")
            }
            $0.notify.mailTo = to
        },
        "notify.mail_from": {
            let f = try ConfigLoader.string($1)
            guard f.contains("@"), !f.contains(where: { $0 == "\n" || $0 == "\r" }) else { throw ConfigLoader.ValueError(message: "must be a mail address, not '\(f)'") }
            $0.notify.mailFrom = f
        },
        "notify.sendmail": { $0.notify.sendmail = try ConfigLoader.path($1) },
        "notify.on": {
            let on = try ConfigLoader.stringArray($1)
            if let bad = on.first(where: { !NotifySettings.events.contains($0) }) {
                throw ConfigLoader.ValueError(message: "names '\(bad)'\(Suggestion.hint(for: bad, in: NotifySettings.events)); the events are \(NotifySettings.events.joined(separator: ", "))")
            }
            $0.notify.on = on
        },
        "notify.disk_free_percent": { $0.notify.diskFreePercent = try ConfigLoader.double($1, 0...100) },
        "notify.exceptions_every_minutes": { $0.notify.exceptionsEveryMinutes = try ConfigLoader.double($1, 0...1440) },
    ]

    func problems() -> [String] {
        webhook != nil && credentials == nil
            ? ["[notify]: a webhook needs credentials (a file with secret = …), so the receiver can check the signature"] : []
    }
}
