import Foundation

/// The control socket speaks newline-delimited JSON; every message carries this version.
public let controlProtocolVersion = 1
/// Requests longer than this are refused without being parsed.
public let maxRequestBytes = 64 * 1024

public enum Command: String, Codable, Sendable, CaseIterable {
    case status, list, show, retry, pause, resume, reload, approve, batches, deliveries, redeliver, reject, exceptions, rollback, review, report

    /// Commands that change state need root or the service user; the rest are read-only.
    public var changesState: Bool {
        switch self {
        case .status, .list, .show, .batches, .deliveries, .exceptions, .review, .report: false
        case .retry, .pause, .resume, .reload, .approve, .redeliver, .reject, .rollback: true
        }
    }
}

public struct Request: Codable, Sendable {
    public var version: Int
    public var command: Command
    public var stage: String?
    public var batch: String?
    public var asset: String?
    /// `deliveries`: only failed ones.
    public var failedOnly: Bool?
    /// `approve`/`reject`: asset ids or batch names.
    public var names: [String]?
    /// `reject`: why, for the manifest and the event log.
    public var reason: String?
    /// `reject`: where on the master the trouble is, `[x, y, width, height]` in master pixels.
    public var box: [Int]?
    /// `approve BATCH`: exceptions too (they stay unless named or this is set).
    public var includeExceptions: Bool?
    /// With a batch: approve its generated variants too (they are never approved by default).
    public var includeVariants: Bool?
    /// `retry`: `retouch.KEY=VALUE` overrides kept in the manifest for this asset.
    public var overrides: [String]?
    /// `list`, `review BATCH`, `exceptions`, `deliveries`: at most this many entries…
    public var limit: Int?
    /// …after this one (the `next` of the previous page).
    public var after: String?
    /// `report`: assets that arrived at or after this time.
    public var since: Date?

    public init(command: Command, stage: String? = nil, batch: String? = nil, asset: String? = nil) {
        version = controlProtocolVersion
        self.command = command; self.stage = stage; self.batch = batch; self.asset = asset
    }
}

public struct Response: Codable, Sendable {
    public var version: Int
    public var ok: Bool
    public var error: String?
    public var status: StatusReport?
    public var assets: [AssetSummary]?
    public var batches: [BatchSummary]?
    public var deliveries: [DeliverySummary]?
    public var review: [ReviewSummary]?
    public var report: ROIReport?
    public var detail: JSONValue?
    public var message: String?
    /// A paged answer with more to come: pass this as `after` for the next page.
    public var next: String?

    public init(ok: Bool, error: String? = nil) { version = controlProtocolVersion; self.ok = ok; self.error = error }
    public static func failure(_ text: String) -> Response { Response(ok: false, error: text) }
    public static func done(_ text: String) -> Response { var r = Response(ok: true); r.message = text; return r }
}

public struct StatusReport: Codable, Sendable, Equatable {
    public var version: String
    public var uptimeSeconds: Double
    public var paused: Bool
    /// Queue name → assets waiting there (inbox counts files not yet taken).
    public var stages: [String: Int]
    /// Step name → assets being worked on now.
    public var inProgress: [String: Int]
    public var workersBusy: Int
    public var workersIdle: Int
    public var lastError: String?
    public var processed: Int
    /// Exported assets that some channel has no file for (bad name, too small, name taken…).
    public var exportExceptions: Int?
    /// Files per delivery status: pending, delivered, failed.
    public var deliveries: [String: Int]?
    /// Webhook posts that failed for good (their batch's state was not told).
    public var webhooksFailed: Int?
    /// Batches with work left, oldest first: how far each is and when its machine work should end.
    public var batches: [BatchProgressLine]?
    /// Set while the disk under the root is full: what is free, and what work waits for.
    public var diskFull: String?
    public init(version: String, uptimeSeconds: Double, paused: Bool, stages: [String: Int], inProgress: [String: Int],
                workersBusy: Int, workersIdle: Int, lastError: String?, processed: Int) {
        self.version = version; self.uptimeSeconds = uptimeSeconds; self.paused = paused; self.stages = stages
        self.inProgress = inProgress; self.workersBusy = workersBusy; self.workersIdle = workersIdle
        self.lastError = lastError; self.processed = processed
    }
}

/// One shoot session: where its assets are, when they arrived, whether it is done.
/// One batch in `status`: exported or failed of all, how many wait for a person, and the
/// estimated seconds until the rest is through the workers (nil before any step was timed).
public struct BatchProgressLine: Codable, Sendable, Equatable {
    public var batch: String
    public var total: Int
    public var done: Int
    public var waitingForPerson: Int
    public var etaSeconds: Double?
    public init(batch: String, total: Int, done: Int, waitingForPerson: Int, etaSeconds: Double?) {
        self.batch = batch; self.total = total; self.done = done; self.waitingForPerson = waitingForPerson; self.etaSeconds = etaSeconds
    }
}

public struct BatchSummary: Codable, Sendable, Equatable {
    public var name: String
    /// Queue name → assets of this batch there ("inbox" counts files not yet taken).
    public var stages: [String: Int]
    public var total: Int
    public var firstArrival: Date?
    public var lastArrival: Date?
    /// Every asset exported or failed, and nothing left in the inbox.
    public var complete: Bool
    public init(name: String, stages: [String: Int], total: Int, firstArrival: Date?, lastArrival: Date?, complete: Bool) {
        self.name = name; self.stages = stages; self.total = total
        self.firstArrival = firstArrival; self.lastArrival = lastArrival; self.complete = complete
    }
}

/// One batch as review saw it: how its assets were decided and which gates failed how often.
public struct ReviewSummary: Codable, Sendable, Equatable {
    public var batch: String
    public var total: Int
    public var autoApproved: Int
    public var sampled: Int
    public var exceptions: Int
    /// Waiting in review/ now (sampled, held or exceptions).
    public var waiting: Int
    public var approvedByPerson: Int
    public var rejected: Int
    public var gateFailures: [String: Int]
    public init(batch: String) {
        self.batch = batch; total = 0; autoApproved = 0; sampled = 0; exceptions = 0; waiting = 0
        approvedByPerson = 0; rejected = 0; gateFailures = [:]
    }
}

/// One file (or a batch's webhook) at one delivery target.
public struct DeliverySummary: Codable, Sendable, Equatable {
    public var target: String
    public var asset: String
    public var batch: String
    /// `channel/file`, or `batch manifest` for a webhook.
    public var file: String
    /// pending, delivered or failed
    public var status: String
    public var attempts: Int
    public var url: String?
    public var error: String?
    public var at: Date?
    public init(target: String, asset: String, batch: String, file: String, status: String, attempts: Int,
                url: String?, error: String?, at: Date?) {
        self.target = target; self.asset = asset; self.batch = batch; self.file = file; self.status = status
        self.attempts = attempts; self.url = url; self.error = error; self.at = at
    }
}

public struct AssetSummary: Codable, Sendable, Equatable {
    public var id: String
    public var stage: String
    public var batch: String
    public var sku: String
    public var view: Int?
    public var note: String?
    public init(id: String, stage: String, batch: String, sku: String, view: Int?, note: String?) {
        self.id = id; self.stage = stage; self.batch = batch; self.sku = sku; self.view = view; self.note = note
    }
}

/// Any JSON value, so `show` can pass a manifest through without the CLI knowing its type.
public enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

public enum ControlCoding {
    /// Dates travel as ISO 8601, so `pipectl --json` is readable by scripts.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Sorted keys, ISO 8601 dates; `pretty` for what people read (`--json`, report files).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    public static func encodeLine<T: Encodable>(_ value: T) throws -> Data {
        var d = try encoder().encode(value)
        d.append(0x0A)
        return d
    }
}

/// `pipectl report`: what the daemon did for a batch or a period, and the people's time it saved
/// against doing the same by hand.
public struct ROIReport: Codable, Sendable, Equatable {
    public var scope: String
    public var from: Date?
    public var to: Date?
    /// Photographs (generated variants are counted apart).
    public var images = 0
    public var exported = 0
    public var failed = 0
    public var waiting = 0
    public var variants = 0
    /// Passed every gate and went out without a person.
    public var autoApproved = 0
    /// Held for the statistical sample / failed a gate.
    public var sampled = 0
    public var exceptions = 0
    /// Gate → images that failed it.
    public var exceptionsByGate: [String: Int] = [:]
    /// Person → decisions (approve or reject), and all decisions.
    public var decisionsBy: [String: Int] = [:]
    public var approvedByPerson = 0
    public var rejected = 0
    /// Median minutes an image held for a person waited for the decision.
    public var medianMinutesToDecision: Double?
    /// Worker time per image (ingest, retouch, generate, export), mean seconds.
    public var machineSecondsPerImage: Double?
    /// The baseline: a retoucher's minutes per image, and a reviewer's seconds per held image.
    public var manualMinutesPerImage = 0.0
    public var reviewSecondsPerLook = 0.0
    public var manualHours = 0.0
    public var reviewHours = 0.0
    public var savedHours = 0.0

    public init(scope: String) { self.scope = scope }
}
