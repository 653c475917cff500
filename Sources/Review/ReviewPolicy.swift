import Foundation
import PipelineCore

/// Decides, from the manifest alone, whether an asset goes on to export or waits for a person.
public struct ReviewPolicy: Sendable {
    public var hold: Bool
    public var thresholds: GateThresholds
    /// Which passing assets a person sees anyway (rate 0: none).
    public var sampler = Sampler(rate: 0, seed: "photopipe")
    /// Enabled channel presets, for the channel-size gate.
    public var channels: [ChannelPreset] = []

    public init(hold: Bool, minLongSide: Int, nearDuplicateDistance: Double = 3, minConfidence: Double = 0.6) {
        self.hold = hold
        thresholds = GateThresholds()
        thresholds.minLongSide = minLongSide; thresholds.nearDuplicateDistance = nearDuplicateDistance
        thresholds.minConfidence = minConfidence
    }
    public init(_ c: Config) {
        hold = c.reviewHold
        thresholds = c.gates
        sampler = Sampler(rate: c.sampleRate, seed: c.sampleSeed)
        channels = c.export.enabled
    }

    /// The closest other frame of the same SKU, found by the caller from the signature index.
    public struct Neighbour: Equatable, Sendable {
        public var id: String
        public var distance: Double
        public init(id: String, distance: Double) { self.id = id; self.distance = distance }
    }

    public struct Decision: Equatable, Sendable {
        public var record: ReviewRecord
        public var destination: Queue
    }

    /// - Parameter batchSharpness: the sharpness of the batch's frames of this size decided so far.
    public func gates(_ m: Manifest, nearest: Neighbour? = nil, batchSharpness: [Double] = []) -> [GateResult] {
        [resolutionGate(m), channelSizeGate(m), framingGate(m), retouchGate(m), sharpnessGate(m, batch: batchSharpness),
         exposureGate(m), lightingGate(m), backgroundGate(m), skuGate(m), viewGate(m)]
            + (thresholds.nearDuplicateDistance > 0 ? [nearDuplicateGate(m, nearest)] : [])
    }

    /// Two files claiming the same view of one SKU: a person decides which is which.
    public func viewGate(_ m: Manifest) -> GateResult {
        guard let other = m.viewClashWith else { return GateResult(gate: "view", value: 0, threshold: 0, passed: true) }
        return GateResult(gate: "view", value: 1, threshold: 0, passed: false,
                          reason: "view \(m.view ?? 0) of SKU \(m.sku) is already held by \(other): approve it if both frames are wanted, or drop the frame again named with its right view number")
    }

    public func nearDuplicateGate(_ m: Manifest, _ nearest: Neighbour?) -> GateResult {
        guard let n = nearest else {
            return GateResult(gate: "near-duplicate", value: 255, threshold: thresholds.nearDuplicateDistance, passed: true)
        }
        let passed = n.distance > thresholds.nearDuplicateDistance
        return GateResult(gate: "near-duplicate", value: n.distance, threshold: thresholds.nearDuplicateDistance, passed: passed,
                          reason: passed ? nil : String(format: "near-duplicate of %@ (SKU %@, distance %.1f): keep one of the two frames", n.id, m.sku, n.distance))
    }

    /// With a catalogue, a SKU none of the sources could find in it is for a person, never a guess.
    public func skuGate(_ m: Manifest) -> GateResult {
        guard let r = m.skuResolution, r.checkedAgainstCatalog else {
            return GateResult(gate: "sku", value: 1, threshold: 1, passed: true)
        }
        let passed = r.sku != nil
        let found = r.candidates.map { "\($0.value) (\($0.source))" }.joined(separator: ", ")
        return GateResult(gate: "sku", value: passed ? 1 : 0, threshold: 1, passed: passed,
                          reason: passed ? nil : "unknown SKU: \(found.isEmpty ? "no candidate found" : "candidates " + found) not in the catalogue; add the SKU to the catalogue or rename the file, then `pipectl retry \(m.id)`")
    }

    /// The frame at the master's scale must reach the configured minimum; nothing is ever upscaled.
    /// (The master itself is cropped to the product, so its own size says less.)
    public func resolutionGate(_ m: Manifest) -> GateResult {
        var long = m.master?.longSide ?? 0
        if let scale = m.master?.retouch?.frame.scale, let s = m.source { long = Int((Double(max(s.width, s.height)) * scale).rounded()) }
        let passed = long >= thresholds.minLongSide
        return GateResult(gate: "resolution", value: Double(long), threshold: Double(thresholds.minLongSide), passed: passed,
                          reason: passed ? nil : "reshoot or re-export larger: the frame is \(long) px on its long side, below review.min_long_side \(thresholds.minLongSide) px")
    }

    public func decide(_ m: Manifest, nearest: Neighbour? = nil, now: Date = Date()) -> Decision {
        var tally = Sampler.Tally()
        return decide(m, nearest: nearest, tally: &tally, skuHasSeveralViews: false, now: now)
    }

    /// - Parameter tally: the batch's sample so far; a passing asset may be held for it.
    /// - Parameter recentSharpness: the studio's latest frames from any batch; they stand in for
    ///   the batch until it has enough of its own, so the first frames of a shoot are judged too.
    public func decide(_ m: Manifest, nearest: Neighbour?, tally: inout Sampler.Tally, skuHasSeveralViews: Bool,
                       recentSharpness: SharpnessHistory = SharpnessHistory(), now: Date = Date()) -> Decision {
        let batch = tally.sharpness.like(m)
        let reference = batch.count >= Self.minimumBatchForMedian ? batch : recentSharpness.like(m) + batch
        let results = gates(m, nearest: nearest, batchSharpness: reference)
        tally.sharpness.add(m)
        let failed = results.filter { !$0.passed }
        if !failed.isEmpty {
            // Every failed gate's reason, so the person sees all there is to fix at once.
            return Decision(record: ReviewRecord(status: .exception, gates: results, decidedBy: "photopiped",
                                                 decidedAt: now, reason: failed.compactMap(\.reason).joined(separator: "; ")),
                            destination: .review)
        }
        if hold {
            return Decision(record: ReviewRecord(status: .held, gates: results, decidedBy: "photopiped",
                                                 decidedAt: now, reason: "review.hold is on: every asset waits for a person"),
                            destination: .review)
        }
        if sampler.holds(sha256: m.sha256, confidence: m.master?.retouch?.confidence ?? 1, sku: m.sku,
                         skuHasSeveralViews: skuHasSeveralViews, tally: &tally) {
            var record = ReviewRecord(status: .sampled, gates: results, decidedBy: "photopiped", decidedAt: now,
                                      reason: String(format: "every gate passed; held as part of batch %@'s sample (review.sample_rate %.0f%%): look, then `pipectl approve %@`", m.batch, sampler.rate * 100, m.batch))
            record.sampled = true
            return Decision(record: record, destination: .review)
        }
        return Decision(record: ReviewRecord(status: .autoApproved, gates: results, decidedBy: "photopiped", decidedAt: now),
                        destination: .approved)
    }
}
