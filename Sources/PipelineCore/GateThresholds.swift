/// The review gates' thresholds, each set by a `review.*` key; the defaults were calibrated on the
/// planted-defect batch (`ppsample --planted`, `scripts/bench-gates.py`).
public struct GateThresholds: Codable, Sendable, Equatable {
    /// Frames smaller than this on their long side (at master scale) are exceptions.
    public var minLongSide = 1000
    /// Colour-signature distance (0–255) at or below which two frames of one SKU count as near-duplicates; 0 turns it off.
    public var nearDuplicateDistance = 3.0
    /// Retouch confidence below which a cut-out goes to a person even without a flag.
    public var minConfidence = 0.6
    /// Share of the product clipped to white above which the exposure gate fails (clean frames of
    /// the planted-defect set reach 0.045: an orange product's red channel after a +0.3 EV lift).
    public var maxClippedShare = 0.08
    /// Share of the product crushed to black above which the exposure gate fails.
    public var maxCrushedShare = 0.05
    /// Outline sharpness (variance of the alpha's Laplacian) below which a frame is blurred, whatever the batch.
    public var minSharpness = 800.0
    /// A frame whose sharpness is below this share of its batch's median is blurred.
    public var sharpnessRatio = 0.35
    /// Share of the background taken by parts detached from the product above which the background gate fails.
    public var maxStrayShare = 0.001
    /// Exposure correction (EV, either way) above which the lighting gate fails.
    public var maxCorrectionEV = 1.5
    /// Backdrop cast (CIELAB chroma) above which the lighting gate fails.
    public var maxCast = 20.0
    public init() {}
}
