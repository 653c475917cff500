import Foundation
import Imaging
import PipelineCore

/// The retouched product a variant is made from: the master (RGBA, its alpha holding product and
/// shadow), the product-only mask, and the product's box in master pixels.
public struct MasterProduct {
    public var master: Image
    public var mask: Image
    /// x, y, width, height in master pixels (the retouch record's `frame.productBox`).
    public var productBox: [Int]
    /// The product's physical height from the catalogue, when known.
    public var heightCm: Double?

    public init(master: Image, mask: Image, productBox: [Int], heightCm: Double? = nil) {
        self.master = master; self.mask = mask; self.productBox = productBox; self.heightCm = heightCm
    }

    /// `master.tif` and `mask.png` of a retouched asset folder, with the box its retouch record gives.
    public static func open(assetDir: String, retouch: RetouchRecord, heightCm: Double? = nil,
                            masterFile: String = "master.tif") throws -> MasterProduct {
        MasterProduct(master: try Image.open("\(assetDir)/\(masterFile)"), mask: try Image.open("\(assetDir)/\(retouch.maskFile)"),
                      productBox: retouch.frame.productBox, heightCm: heightCm)
    }

    /// The product's height in centimetres from a catalogue row: `height_cm`, or `height_mm` / 10.
    public static func heightCm(catalogueFields fields: [String: String]) -> Double? {
        func number(_ key: String) -> Double? {
            fields.first { $0.key.lowercased() == key }.flatMap { Double($0.value.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil }
        }
        return number("height_cm") ?? number("height_mm").map { $0 / 10 }
    }
}
