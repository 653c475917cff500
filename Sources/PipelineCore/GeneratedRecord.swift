import Foundation

/// What the generate stage made for one variant and how far it can be trusted, kept in the manifest
/// beside the retouch record. The product's pixels come from the master; this says where they were
/// put, what was done to them, and what was measured afterwards.
public struct GeneratedRecord: Codable, Sendable, Equatable {
    /// `scene` for the built-in plate compositor; external generators name themselves.
    public var generator: String
    /// The plate's name, for the compositor.
    public var scene: String?
    /// The prompt sent to a generator; nil for the compositor.
    public var prompt: String?
    /// The only source of variation: the same inputs and seed give the same bytes.
    public var seed: UInt64
    public var placement: VariantPlacement
    public var adjustment: ProductAdjustment
    public var fidelity: FidelityFigures
    /// Milliseconds per step.
    public var timings: [String: Double]
    /// The variant's file, in the asset folder.
    public var file: String
    /// The config rule that asked for the variant.
    public var rule: String?
    /// The product's box in the variant, in output pixels: x, y, width, height.
    public var productBox: [Int]?

    public init(generator: String, scene: String?, prompt: String?, seed: UInt64, placement: VariantPlacement,
                adjustment: ProductAdjustment, fidelity: FidelityFigures, timings: [String: Double], file: String) {
        self.generator = generator; self.scene = scene; self.prompt = prompt; self.seed = seed
        self.placement = placement; self.adjustment = adjustment; self.fidelity = fidelity
        self.timings = timings; self.file = file
    }
}

/// Where the master went in the output: output = master resampled by `scale`, its top-left at
/// (`offsetX`, `offsetY`) in output pixels (negative when part of the master's margin falls outside).
public struct VariantPlacement: Codable, Sendable, Equatable {
    /// Output pixels per master pixel.
    public var scale: Double
    public var offsetX: Int
    public var offsetY: Int
    public var outputWidth: Int
    public var outputHeight: Int
    /// Output pixels per plate pixel.
    public var plateScale: Double
    /// Where the base of the product's box stands, in output pixels: x, y.
    public var contact: [Double]
    /// How the size was chosen: `px_per_cm` (catalogue height × the plate's scale) or `height_share`.
    public var rule: String
    /// True when the output was made smaller than asked because the master would have been upscaled.
    public var limitedByMaster: Bool

    public init(scale: Double, offsetX: Int, offsetY: Int, outputWidth: Int, outputHeight: Int, plateScale: Double,
                contact: [Double], rule: String, limitedByMaster: Bool) {
        self.scale = scale; self.offsetX = offsetX; self.offsetY = offsetY
        self.outputWidth = outputWidth; self.outputHeight = outputHeight; self.plateScale = plateScale
        self.contact = contact; self.rule = rule; self.limitedByMaster = limitedByMaster
    }
}

/// The colour change applied to the product's pixels to sit it in the plate's light: per channel,
/// linear-light gain, then a contrast stretch of the sRGB-coded value about `pivot`. Bounded, and
/// recorded so anyone can apply it to the master and compare (`identity` when nothing was changed).
public struct ProductAdjustment: Codable, Sendable, Equatable {
    /// Linear-light gains per channel (white balance and exposure together).
    public var gains: [Double]
    /// The exposure part of the gains, in EV.
    public var exposureEV: Double
    /// Slope of the coded values about `pivot` (1 = unchanged).
    public var contrast: Double
    /// sRGB-coded level (0–1) the contrast turns about.
    public var pivot: Double
    /// Which bounds held the adjustment back: `white_balance`, `exposure`, `contrast`.
    public var capped: [String]
    /// CIEDE2000 between the product's mean colour before and after: how far the product was moved.
    public var productDeltaE: Double

    public init(gains: [Double], exposureEV: Double, contrast: Double, pivot: Double, capped: [String], productDeltaE: Double) {
        self.gains = gains; self.exposureEV = exposureEV; self.contrast = contrast; self.pivot = pivot
        self.capped = capped; self.productDeltaE = productDeltaE
    }

    public static let identity = ProductAdjustment(gains: [1, 1, 1], exposureEV: 0, contrast: 1, pivot: 0.5, capped: [], productDeltaE: 0)
    public var isIdentity: Bool { gains == [1, 1, 1] && contrast == 1 }
}

/// CIEDE2000 between the output and the placed (and recorded-adjusted) master inside the product's
/// mask, eroded so that resampled edges and light wrap do not count.
public struct FidelityFigures: Codable, Sendable, Equatable {
    public var meanDeltaE: Double
    public var p95DeltaE: Double
    public var maxDeltaE: Double
    /// Share of the measured pixels whose ΔE2000 is above `threshold`.
    public var shareOver: Double
    public var threshold: Double
    /// Product pixels measured (after erosion and sampling).
    public var pixels: Int
    /// Pixels taken off the mask's edge before measuring.
    public var erodedBy: Int

    public init(meanDeltaE: Double, p95DeltaE: Double, maxDeltaE: Double, shareOver: Double, threshold: Double, pixels: Int, erodedBy: Int) {
        self.meanDeltaE = meanDeltaE; self.p95DeltaE = p95DeltaE; self.maxDeltaE = maxDeltaE
        self.shareOver = shareOver; self.threshold = threshold; self.pixels = pixels; self.erodedBy = erodedBy
    }
}
