import Foundation

/// Something a person should hear about, once: a batch that waits for review, exceptions raised,
/// a delivery given up, a disk nearly full.
public struct Notice: Codable, Sendable, Equatable {
    public var event: String
    public var subject: String
    public var text: String
    public var batch: String?
    public var at: Date

    public init(event: String, subject: String, text: String, batch: String? = nil, at: Date) {
        self.event = event; self.subject = subject; self.text = text; self.batch = batch; self.at = at
    }
}

/// When to tell: each condition once when it begins (a batch starts waiting, the disk falls
/// below its mark), exceptions gathered per batch, repeated failures summed, never a flood.
public struct NoticePolicy: Sendable {
    public var settings: NotifySettings
    private var waitingTold = Set<String>()
    private var exceptions: [String: [String]] = [:]
    private var exceptionsToldAt: [String: Date] = [:]
    private var diskLow = false
    private var deliveryFailures: [String] = []
    private var deliveryToldAt: Date?
    /// Delivery failures are told at most this often, the ones in between summed.
    public static let deliveryEvery: TimeInterval = 600

    public init(settings: NotifySettings) { self.settings = settings }

    /// A batch waits for review once no machine work is left and someone must look.
    public mutating func batch(_ name: String, waitingForPerson: Int, machineWorkLeft: Bool, now: Date) -> Notice? {
        guard waitingForPerson > 0, !machineWorkLeft else {
            if waitingForPerson == 0 { waitingTold.remove(name) }
            return nil
        }
        guard settings.wants("review-waiting"), waitingTold.insert(name).inserted else { return nil }
        return Notice(event: "review-waiting", subject: "batch \(name): \(waitingForPerson) image\(waitingForPerson == 1 ? "" : "s") wait for review",
                      text: "Batch \(name) is through the machine; \(waitingForPerson) image\(waitingForPerson == 1 ? " waits" : "s wait") for a person. Open the workbench, or `pipectl review \(name)`.",
                      batch: name, at: now)
    }

    public mutating func exception(batch: String, id: String, reason: String) {
        guard settings.wants("exceptions") else { return }
        exceptions[batch, default: []].append("\(id): \(reason)")
    }

    /// One notice per batch with new exceptions, unless that batch was told less than the interval ago.
    public mutating func dueExceptions(now: Date) -> [Notice] {
        var out: [Notice] = []
        for (batch, lines) in exceptions.sorted(by: { $0.key < $1.key }) where !lines.isEmpty {
            if let told = exceptionsToldAt[batch], now.timeIntervalSince(told) < settings.exceptionsEveryMinutes * 60 { continue }
            exceptionsToldAt[batch] = now
            exceptions[batch] = nil
            out.append(Notice(event: "exceptions", subject: "batch \(batch): \(lines.count) exception\(lines.count == 1 ? "" : "s")",
                              text: "New exceptions in batch \(batch):\n" + lines.prefix(20).map { "- \($0)" }.joined(separator: "\n")
                                + (lines.count > 20 ? "\n… and \(lines.count - 20) more (`pipectl exceptions`)" : ""),
                              batch: batch, at: now))
        }
        return out
    }

    public mutating func deliveryFailed(_ text: String, now: Date) -> Notice? {
        guard settings.wants("delivery-failed") else { return nil }
        deliveryFailures.append(text)
        return dueDeliveryFailures(now: now)
    }

    public mutating func dueDeliveryFailures(now: Date) -> Notice? {
        guard !deliveryFailures.isEmpty else { return nil }
        if let told = deliveryToldAt, now.timeIntervalSince(told) < Self.deliveryEvery { return nil }
        let lines = deliveryFailures
        deliveryFailures = []
        deliveryToldAt = now
        return Notice(event: "delivery-failed", subject: "\(lines.count) deliver\(lines.count == 1 ? "y" : "ies") failed",
                      text: lines.prefix(20).joined(separator: "\n") + (lines.count > 20 ? "\n… and \(lines.count - 20) more" : "")
                        + "\nSee `pipectl deliveries --failed`; `pipectl redeliver` tries again.", at: now)
    }

    /// Below the mark: told once; told again only after the disk was two points above it.
    public mutating func disk(freePercent: Double, path: String, now: Date) -> Notice? {
        if diskLow {
            if freePercent > settings.diskFreePercent + 2 { diskLow = false }
            return nil
        }
        guard freePercent < settings.diskFreePercent else { return nil }
        diskLow = true
        guard settings.wants("disk-low") else { return nil }
        return Notice(event: "disk-low", subject: String(format: "disk nearly full: %.1f %% free under %@", freePercent, path),
                      text: String(format: "Only %.1f %% of the disk under %@ is free (notify.disk_free_percent %.0f). When it is full the pipeline pauses until space returns.",
                                   freePercent, path, settings.diskFreePercent), at: now)
    }
}
