import Foundation
import PipelineCore

/// One variant asked of an external generator. For the `command` generator it is `request.json`
/// (keys in snake_case); ComfyUI gets its parts through the workflow's placeholders.
public struct ExternalRequest: Codable, Sendable, Equatable {
    public var variant: String
    public var rule: String
    public var sku: String
    public var batch: String
    public var view: Int?
    public var catalog: [String: String]
    public var scene: String?
    public var prompt: String
    public var negativePrompt: String
    public var seed: UInt64
    public var width: Int
    public var height: Int
    /// Where the master's product sits in `input.png` (and must stay when `keep_product` is true).
    public var placement: VariantPlacement
    public var keepProduct: Bool
    /// File names in the working folder.
    public var input = ExternalRequest.inputFile
    public var mask = ExternalRequest.maskFile

    public static let inputFile = "input.png"
    public static let maskFile = "mask.png"

    public init(variant: String, rule: String, sku: String, batch: String, view: Int?, catalog: [String: String], scene: String?,
                prompt: String, negativePrompt: String, seed: UInt64, placement: VariantPlacement, keepProduct: Bool) {
        self.variant = variant; self.rule = rule; self.sku = sku; self.batch = batch; self.view = view; self.catalog = catalog
        self.scene = scene; self.prompt = prompt; self.negativePrompt = negativePrompt; self.seed = seed
        self.width = placement.outputWidth; self.height = placement.outputHeight; self.placement = placement; self.keepProduct = keepProduct
    }
}

/// An external generator: one attempt at one variant, in a working folder that already holds
/// `input.png` and `mask.png`; answers the path of the image it got back.
protocol ExternalGenerator: Sendable {
    /// For records and messages: `comfyui at http://host:port`, `command /path`.
    var label: String { get }
    func attempt(_ request: ExternalRequest, folder: String, deadline: Date) throws -> String
}
