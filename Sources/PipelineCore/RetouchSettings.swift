import Foundation

/// The retouch stage's knobs (`[retouch]` in the config); sent with each job, and overridable
/// per asset with `--set retouch.KEY=VALUE`.
public struct RetouchSettings: Codable, Sendable, Equatable {
    public enum ShadowMode: String, Codable, Sendable, CaseIterable { case none, keep, synthesise }

    /// Masters are downscaled so their long side is at most this, never upscaled.
    public var masterLongSide = 4000
    /// Long side of the reduced copy on which the backdrop is modelled and the coarse mask made.
    public var analysisSize = 640
    public var shadow = ShadowMode.synthesise
    /// Peak darkness of a synthesised contact shadow (0–1).
    public var shadowOpacity = 0.3
    /// The deepest darkening (share of the backdrop's light removed) still read as a shadow.
    public var shadowMaxDepth = 0.6
    /// The sRGB colour the measured backdrop is mapped to; the product gets the same transform.
    public var targetWhite = [255.0, 255.0, 255.0]
    /// For coloured sweeps: the backdrop's colour under the studio's reference light. Without it
    /// a coloured backdrop gets exposure correction only.
    public var backdropReference: [Double]?
    /// Separate product parts smaller than this share of the largest part are specks, not product.
    public var minPartFraction = 0.01
    /// Edge contrast (ΔE76 between product and backdrop at the outline) below which the cut-out
    /// is flagged as low contrast.
    public var lowContrastDeltaE = 10.0

    public init() {}

    static let keys: [String: @Sendable (inout RetouchSettings, TOMLValue) throws -> Void] = [
        "master_long_side": { $0.masterLongSide = try ConfigLoader.int($1, 64...65_000) },
        "analysis_size": { $0.analysisSize = try ConfigLoader.int($1, 64...4096) },
        "shadow": {
            let s = try ConfigLoader.string($1)
            guard let mode = ShadowMode(rawValue: s) else {
                throw ConfigLoader.ValueError(message: "must be one of \(ShadowMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
            }
            $0.shadow = mode
        },
        "shadow_opacity": { $0.shadowOpacity = try ConfigLoader.double($1, 0...1) },
        "shadow_max_depth": { $0.shadowMaxDepth = try ConfigLoader.double($1, 0...0.95) },
        "target_white": { $0.targetWhite = try colour($1) },
        "backdrop_reference": { $0.backdropReference = try colour($1) },
        "min_part_fraction": { $0.minPartFraction = try ConfigLoader.double($1, 0...1) },
        "low_contrast_delta_e": { $0.lowContrastDeltaE = try ConfigLoader.double($1, 0...100) },
    ]

    static func colour(_ v: TOMLValue) throws -> [Double] {
        guard case .array(let items) = v, items.count == 3 else {
            throw ConfigLoader.ValueError(message: "must be an sRGB colour as three numbers, e.g. [255, 255, 255]")
        }
        return try items.map { try ConfigLoader.double($0, 1...255) }
    }
}
