import Foundation
import PipelineCore

/// Which passing assets a person sees anyway: `review.sample_rate` of each batch, drawn as the
/// batch arrives. The first passing asset of every batch is held, so every batch is represented;
/// the batch's held share never exceeds the rate (rounded up) and never falls more than one
/// asset behind it. Within that window an asset is held when its seeded score is below the rate;
/// the score is scaled by the retouch confidence (unsure cut-outs first) and halved for a SKU with
/// several views none of which is held yet. The same seed and arrival order give the same sample.
public struct Sampler: Sendable, Equatable {
    public var rate: Double
    public var seed: String

    public init(rate: Double, seed: String) { self.rate = rate; self.seed = seed }

    /// Where one batch stands: passing assets seen, how many of them were held, and what the gates compare against.
    public struct Tally: Codable, Sendable, Equatable {
        public var passed = 0
        public var sampled = 0
        /// SKUs with at least one held asset.
        public var skus: Set<String> = []
        /// Outline sharpness of every frame of the batch decided so far, for the batch-relative sharpness gate.
        public var sharpness = SharpnessHistory()
        public init() {}
    }

    /// A stable number in [0, 1) for the asset, scaled by its confidence.
    public func score(sha256: String, confidence: Double) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a 64
        for b in (seed + "/" + sha256).utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let unit = Double(h >> 11) / Double(1 << 53)
        return unit * (0.5 + 0.5 * min(1, max(0, confidence)))
    }

    /// Whether this passing asset is held; updates the batch's tally.
    public func holds(sha256: String, confidence: Double, sku: String, skuHasSeveralViews: Bool, tally: inout Tally) -> Bool {
        guard rate > 0 else { tally.passed += 1; return false }
        let quota = Int((rate * Double(tally.passed + 1)).rounded(.up))
        var s = score(sha256: sha256, confidence: confidence)
        if skuHasSeveralViews && !tally.skus.contains(sku) { s *= 0.5 }
        let hold = rate >= 1 || (tally.sampled < quota && (tally.passed == 0 || tally.sampled < quota - 1 || s < rate))
        tally.passed += 1
        if hold { tally.sampled += 1; tally.skus.insert(sku) }
        return hold
    }
}
