import Foundation

/// The retouch stage's knobs (`[retouch]` in the config); sent with each job, and overridable
/// per asset with `--set retouch.KEY=VALUE`.
public struct RetouchSettings: Codable, Sendable, Equatable {
    public enum ShadowMode: String, Codable, Sendable, CaseIterable { case none, keep, synthesise }
    /// The learned second opinion: `auto` uses it when its runtime and model are installed,
    /// `on` requires them (a missing file fails the asset with the reason), `off` keys alone.
    public enum MatteNetworkMode: String, Codable, Sendable, CaseIterable { case auto, on, off }

    /// Where `scripts/fetch-matte-model.sh` installs ONNX Runtime and U²-Netp.
    public static let matteFolder = "/usr/local/share/photopipe/matte"

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

    public var matteNetwork = MatteNetworkMode.auto
    /// The salient-object network (ONNX) and the ONNX Runtime library that runs it.
    public var matteModel = "\(RetouchSettings.matteFolder)/u2netp.onnx"
    public var matteRuntime = "\(RetouchSettings.matteFolder)/libonnxruntime.so"
    /// Threads for one network run.
    public var matteThreads = 2
    /// Below this agreement (IoU of keying and network at coarse scale) the two disagree and the
    /// asset goes to a person.
    public var minMatteAgreement = 0.9
    /// The colour correction never moves exposure by more than this many stops (a light grey sweep
    /// shot a stop under needs about 2.3 to reach the target white)…
    public var maxExposureEV = 2.5
    /// …nor any channel's gain by more than this factor against the others (the cast).
    public var maxCastGain = 1.5

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
        "matte_network": {
            let s = try ConfigLoader.string($1)
            guard let mode = MatteNetworkMode(rawValue: s) else {
                throw ConfigLoader.ValueError(message: "must be one of \(MatteNetworkMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
            }
            $0.matteNetwork = mode
        },
        "matte_model": { $0.matteModel = try ConfigLoader.string($1) },
        "matte_runtime": { $0.matteRuntime = try ConfigLoader.string($1) },
        "matte_threads": { $0.matteThreads = try ConfigLoader.int($1, 1...64) },
        "min_matte_agreement": { $0.minMatteAgreement = try ConfigLoader.double($1, 0...1) },
        "max_exposure_ev": { $0.maxExposureEV = try ConfigLoader.double($1, 0...10) },
        "max_cast_gain": { $0.maxCastGain = try ConfigLoader.double($1, 1...10) },
    ]

    static func colour(_ v: TOMLValue) throws -> [Double] {
        guard case .array(let items) = v, items.count == 3 else {
            throw ConfigLoader.ValueError(message: "must be an sRGB colour as three numbers, e.g. [255, 255, 255]")
        }
        return try items.map { try ConfigLoader.double($0, 1...255) }
    }
}
