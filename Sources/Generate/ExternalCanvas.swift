import Foundation
import Imaging
import PipelineCore

/// What an external generator is given: the product placed on a square canvas of the variant's size
/// (centred, its box at most `productShare` of the side, the master never enlarged), as RGBA with
/// nothing around it, and the product's mask at that placement (white = product). The placement is
/// recorded, so the true product can be pasted back and measured where it was put.
public enum ExternalCanvas {
    public static let productShare = 0.6
    /// Under the transparent part of the canvas, for generators that drop alpha.
    static let backdropLevel: UInt8 = 128

    public static func placement(product: MasterProduct, side: Int) throws -> VariantPlacement {
        let box = product.productBox
        guard box.count == 4, box[2] > 0, box[3] > 0 else { throw GenerateError("empty_product", "the master has no product box") }
        let (bx, by, bw, bh) = (Double(box[0]), Double(box[1]), Double(box[2]), Double(box[3]))
        let wanted = productShare * Double(side) / max(bw, bh)
        let scale = min(1, wanted)
        let half = Double(side) / 2
        return VariantPlacement(scale: scale, offsetX: Int((half - (bx + bw / 2) * scale).rounded()),
                                offsetY: Int((half - (by + bh / 2) * scale).rounded()),
                                outputWidth: side, outputHeight: side, plateScale: 1,
                                contact: [half, half + bh * scale / 2], rule: "centred", limitedByMaster: wanted > 1)
    }

    /// Writes `input.png` (RGBA) and `mask.png` (grey) for the placed product.
    public static func write(_ placed: PlacedProduct, placement p: VariantPlacement, input: String, mask: String) throws {
        var canvas = PixelBuffer(width: p.outputWidth, height: p.outputHeight, bands: 4)
        var matte = PixelBuffer(width: p.outputWidth, height: p.outputHeight, bands: 1)
        for i in 0..<(p.outputWidth * p.outputHeight) { for c in 0..<3 { canvas.data[i * 4 + c] = backdropLevel } }
        let pw = placed.pixels.width
        for py in 0..<placed.pixels.height {
            let oy = placed.y + py
            guard oy >= 0, oy < p.outputHeight else { continue }
            for px in 0..<pw {
                let ox = placed.x + px
                guard ox >= 0, ox < p.outputWidth else { continue }
                let q = (py * pw + px) * 4, a = placed.pixels.data[q + 3]
                guard a > 0 else { continue }
                let o = oy * p.outputWidth + ox
                for c in 0..<3 { canvas.data[o * 4 + c] = placed.pixels.data[q + c] }
                canvas.data[o * 4 + 3] = a
                matte.data[o] = a
            }
        }
        try Image(canvas).savePNG(input)
        try Image(matte).savePNG(mask)
    }
}
