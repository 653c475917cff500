import Foundation

/// One variant a worker made, for the supervisor to publish as an asset of its own.
public struct VariantOutput: Codable, Sendable, Equatable {
    public var id: String
    /// Relative to the source asset's folder: `variants/<id>`.
    public var dir: String
    public var width: Int
    public var height: Int
    public var generated: GeneratedRecord

    public init(id: String, dir: String, width: Int, height: Int, generated: GeneratedRecord) {
        self.id = id; self.dir = dir; self.width = width; self.height = height; self.generated = generated
    }

    /// The variant's picture and its contact-sheet thumbnail, in the variant's asset folder.
    public static let sceneFile = "scene.jpg"
    public static let thumbFile = "thumb.jpg"
}
