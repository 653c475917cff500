import Foundation
import PipelineCore

/// One row of `GET /api/batches`: how many of a batch's assets are where.
public struct BatchRow: Codable, Sendable, Equatable {
    public var batch: String
    public var total: Int
    /// In the review queue, waiting for a person.
    public var waiting: Int
    public var exceptions: Int
    public var sampled: Int
    public var generated: Int
    /// Approved by a person.
    public var approved: Int
    public var autoApproved: Int
    public var rejected: Int
    public var exported: Int
    public var failed: Int

    public init(batch: String, total: Int = 0, waiting: Int = 0, exceptions: Int = 0, sampled: Int = 0, generated: Int = 0,
                approved: Int = 0, autoApproved: Int = 0, rejected: Int = 0, exported: Int = 0, failed: Int = 0) {
        self.batch = batch; self.total = total; self.waiting = waiting; self.exceptions = exceptions
        self.sampled = sampled; self.generated = generated; self.approved = approved; self.autoApproved = autoApproved
        self.rejected = rejected; self.exported = exported; self.failed = failed
    }

    /// Assets that have left the pipeline for good: published or turned down.
    public var finished: Int { min(total, exported + rejected) }
}

/// `GET /api/batch/<batch>`: a batch's assets in the order the batch page shows them.
public struct BatchView: Codable, Sendable, Equatable {
    public var batch: String
    /// Passing assets waiting for a person (sampled, held): what "Approve N clean assets" approves.
    public var cleanWaiting: Int
    public var assets: [AssetCard]

    /// - Parameter assets: in any order; they are stored grouped.
    public init(batch: String, cleanWaiting: Int, assets: [AssetCard]) {
        self.batch = batch; self.cleanWaiting = cleanWaiting; self.assets = Self.grouped(assets)
    }
}

/// One asset as a reviewer sees it. `status` is nil before review decided anything (e.g. failed at retouch).
public struct AssetCard: Codable, Sendable, Equatable {
    public var id: String
    public var sku: String
    public var view: Int?
    /// The queue the asset is in.
    public var stage: Queue
    public var status: ReviewStatus?
    public var sampled: Bool
    public var variantOf: String?
    public var decidedBy: String?
    public var reason: String?
    public var gates: [GateLine]
    public var markup: RejectMarkup?
    public var master: Size?

    public init(id: String, sku: String, view: Int?, stage: Queue, status: ReviewStatus?, sampled: Bool = false,
                variantOf: String? = nil, decidedBy: String? = nil, reason: String? = nil, gates: [GateLine] = [],
                markup: RejectMarkup? = nil, master: Size? = nil) {
        self.id = id; self.sku = sku; self.view = view; self.stage = stage; self.status = status; self.sampled = sampled
        self.variantOf = variantOf; self.decidedBy = decidedBy; self.reason = reason; self.gates = gates
        self.markup = markup; self.master = master
    }

    /// A card from an asset's manifest.
    /// - Parameter views: view numbers of the batch's assets by id, so a near-duplicate names the view it repeats.
    public init(_ m: Manifest, stage: Queue, markup: RejectMarkup? = nil, views: [String: Int] = [:]) {
        self.init(id: m.id, sku: m.sku, view: m.view, stage: stage, status: m.review?.status,
                  sampled: m.review?.sampled == true, variantOf: m.variantOf, decidedBy: m.review?.decidedBy,
                  reason: m.review?.reason ?? m.error.map { "\($0.step) failed: \($0.message)" },
                  gates: (m.review?.gates ?? []).map { GateWords.line($0, views: views) },
                  markup: markup, master: m.master.map { Size(width: $0.width, height: $0.height) })
    }

    private enum CodingKeys: String, CodingKey {
        case id, sku, view, stage, status, sampled, variantOf, decidedBy, reason, gates, markup, master
    }

    /// Every key is written, absent values as `null`, so the page's script sees one shape.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(sku, forKey: .sku)
        try c.encode(view, forKey: .view)
        try c.encode(stage, forKey: .stage)
        try c.encode(status, forKey: .status)
        try c.encode(sampled, forKey: .sampled)
        try c.encode(variantOf, forKey: .variantOf)
        try c.encode(decidedBy, forKey: .decidedBy)
        try c.encode(reason, forKey: .reason)
        try c.encode(gates, forKey: .gates)
        try c.encode(markup, forKey: .markup)
        try c.encode(master, forKey: .master)
    }

    /// Failed a gate: the reviewer must look.
    public var isException: Bool { status == .exception }
    /// Passed, but waits for a person anyway (a sampled asset a person approved is no longer held).
    public var isHeldPassing: Bool { status == .sampled || status == .held || status == .generated }
}

public struct GateLine: Codable, Sendable, Equatable {
    public var gate: String
    public var passed: Bool
    public var words: String
    public init(gate: String, passed: Bool, words: String) { self.gate = gate; self.passed = passed; self.words = words }
}

/// What a reviewer marked when rejecting: a note and a box in master pixels.
public struct RejectMarkup: Codable, Sendable, Equatable {
    public var note: String
    public var box: Box?
    public init(note: String, box: Box? = nil) { self.note = note; self.box = box }

    private enum CodingKeys: String, CodingKey { case note, box }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(note, forKey: .note)
        try c.encode(box, forKey: .box)
    }

    /// `x,y,w,h`, as the page carries it in `data-box`.
    public var boxAttribute: String? { box.map { "\($0.x),\($0.y),\($0.w),\($0.h)" } }

    public struct Box: Codable, Sendable, Equatable {
        public var x: Int, y: Int, w: Int, h: Int
        public init(x: Int, y: Int, w: Int, h: Int) { self.x = x; self.y = y; self.w = w; self.h = h }
    }
}

public struct Size: Codable, Sendable, Equatable {
    public var width: Int, height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// The answer to every change the workbench asks for.
public struct ActionReply: Codable, Sendable, Equatable {
    public var ok: Bool
    public var message: String
    public init(ok: Bool, message: String) { self.ok = ok; self.message = message }
}

/// The order a reviewer works in: what needs a decision first.
extension BatchView {
    /// Per SKU: SKUs with an exception first, then SKUs with a sampled (held, generated) asset, then
    /// the rest, each tier by SKU. Inside a SKU: exceptions, then sampled/held/generated, then the
    /// rest, each by view; a generated variant follows its source when the source is in the SKU.
    public static func grouped(_ cards: [AssetCard]) -> [AssetCard] {
        sections(cards).flatMap { $0.cards }
    }

    /// The grouped order, one section per SKU.
    public static func sections(_ cards: [AssetCard]) -> [(sku: String, cards: [AssetCard])] {
        var bySku: [String: [AssetCard]] = [:]
        for c in cards { bySku[c.sku, default: []].append(c) }
        let skus = bySku.map { (sku: $0.key, tier: $0.value.map(tier).min() ?? 2) }
            .sorted { ($0.tier, $0.sku) < ($1.tier, $1.sku) }
        return skus.map { ($0.sku, ordered(bySku[$0.sku]!)) }
    }

    static func tier(_ c: AssetCard) -> Int { c.isException ? 0 : c.isHeldPassing ? 1 : 2 }

    /// One SKU's cards: sources by tier and view, each followed by its variants.
    static func ordered(_ cards: [AssetCard]) -> [AssetCard] {
        let ids = Set(cards.map(\.id))
        let before: (AssetCard, AssetCard) -> Bool = {
            (tier($0), $0.view ?? Int.max, $0.id) < (tier($1), $1.view ?? Int.max, $1.id)
        }
        var children: [String: [AssetCard]] = [:]
        var roots: [AssetCard] = []
        for c in cards {
            if let source = c.variantOf, source != c.id, ids.contains(source) { children[source, default: []].append(c) } else { roots.append(c) }
        }
        var out: [AssetCard] = []
        out.reserveCapacity(cards.count)
        var placed = Set<String>()
        func place(_ c: AssetCard) {
            guard placed.insert(c.id).inserted else { return }
            out.append(c)
            for v in (children[c.id] ?? []).sorted(by: before) { place(v) }
        }
        roots.sorted(by: before).forEach(place)
        // Variants whose chain of sources loops never reach a root: keep them anyway.
        cards.filter { !placed.contains($0.id) }.sorted(by: before).forEach(place)
        return out
    }
}
