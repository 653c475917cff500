import Foundation
import Imaging
import PipelineCore

/// The product's true pixels where a placement puts them: straight-alpha RGBA whose alpha is the
/// product's mask only (the master's own shadow taken out), its top-left at (`x`, `y`) in the output.
/// The compositor draws it, `ProductFidelity` measures against it and pastes it over generated images.
public struct PlacedProduct: Sendable {
    public var x: Int
    public var y: Int
    public var pixels: PixelBuffer

    public init(x: Int, y: Int, pixels: PixelBuffer) { self.x = x; self.y = y; self.pixels = pixels }

    /// The whole master is resampled, not a crop around the box cut before it: a crop's origin lands between
    /// output pixels, and half a pixel's shift of a textured product is a ΔE2000 of several units. So the
    /// record's scale and offset reproduce these pixels exactly.
    ///
    /// Master and mask are resampled first (libvips streams the decode into the resize) and the shadow is
    /// taken out at the output's size: with the master resampled premultiplied, colour × master alpha ÷
    /// mask alpha there equals the product-only colour resampled, and costs a tenth of the work.
    public static func make(_ product: MasterProduct, placement: VariantPlacement) throws -> PlacedProduct {
        guard product.master.bands == 4 else { throw GenerateError("bad_master", "the master has \(product.master.bands) bands, not RGBA") }
        guard product.mask.width == product.master.width, product.mask.height == product.master.height else {
            throw GenerateError("bad_master", "the mask is \(product.mask.width)×\(product.mask.height), the master \(product.master.width)×\(product.master.height)")
        }
        let s = placement.scale
        // Only the product's box (and a few pixels) of the resampled master is computed: libvips works on
        // demand, so cutting after the resize reads only the rows it needs and keeps the whole-master grid.
        let b = product.productBox
        let fullW = Int((Double(product.master.width) * s).rounded()), fullH = Int((Double(product.master.height) * s).rounded())
        let x0 = max(0, Int((Double(b[0]) * s).rounded(.down)) - margin), y0 = max(0, Int((Double(b[1]) * s).rounded(.down)) - margin)
        let x1 = min(fullW, Int((Double(b[0] + b[2]) * s).rounded(.up)) + margin), y1 = min(fullH, Int((Double(b[1] + b[3]) * s).rounded(.up)) + margin)
        func cut(_ image: Image) throws -> PixelBuffer {
            let w = min(x1, image.width) - x0, h = min(y1, image.height) - y0
            guard w > 0, h > 0 else { throw GenerateError("bad_master", "the product box \(b) lies outside the master") }
            return try image.cropped(x: x0, y: y0, width: w, height: h).pixels()
        }
        let master = try cut(s == 1 ? product.master : product.master.resizedPremultiplied(by: s))
        let maskImage = try MaskSpecks.cleared(product.mask.bands > 1 ? try product.mask.band(0) : product.mask)
        var mask = try cut(s == 1 ? maskImage : maskImage.resized(by: s).castUChar())
        // Both were resampled by the same scale; a rounding difference of a row or column is cut or left empty.
        if mask.width != master.width || mask.height != master.height { mask = sized(mask, like: master) }
        return PlacedProduct(x: placement.offsetX + x0, y: placement.offsetY + y0, pixels: productOnly(master: master, mask: mask))
    }

    /// Output pixels kept around the product's box: soft edges and the resampling kernel's reach.
    static let margin = 4

    /// The master's colour with the mask as alpha. Retouch stores an edge pixel that also lies in the
    /// shadow as product colour × (mask alpha / master alpha) over black; that share is divided out,
    /// so the plate's own shadow is drawn under a clean edge. Solid product pixels are copied exactly.
    static func productOnly(master: PixelBuffer, mask: PixelBuffer) -> PixelBuffer {
        var out = PixelBuffer(width: master.width, height: master.height, bands: 4)
        let n = master.width * master.height, mb = mask.bands
        master.data.withUnsafeBufferPointer { m in
            mask.data.withUnsafeBufferPointer { k in
                out.data.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n {
                        let a = Int(k[i * mb]), total = Int(m[i * 4 + 3])
                        guard a > 0 else { continue }
                        for c in 0..<3 {
                            let v = Int(m[i * 4 + c])
                            o[i * 4 + c] = total > a ? UInt8(min(255, (v * total + a / 2) / a)) : UInt8(v)
                        }
                        o[i * 4 + 3] = UInt8(a)
                    }
                }
            }
        }
        return out
    }

    static func sized(_ p: PixelBuffer, like q: PixelBuffer) -> PixelBuffer {
        var out = PixelBuffer(width: q.width, height: q.height, bands: p.bands)
        for y in 0..<min(p.height, q.height) { for x in 0..<min(p.width, q.width) { for b in 0..<p.bands {
            out.data[(y * q.width + x) * p.bands + b] = p.data[(y * p.width + x) * p.bands + b]
        } } }
        return out
    }

    /// Alpha (0–255) at output coordinates; 0 outside.
    @inline(__always) func alpha(_ ox: Int, _ oy: Int) -> UInt8 {
        let px = ox - x, py = oy - y
        guard px >= 0, py >= 0, px < pixels.width, py < pixels.height else { return 0 }
        return pixels.data[(py * pixels.width + px) * 4 + 3]
    }

    /// The output rows and columns the product's opaque part (alpha ≥ 128) covers: x0, y0, x1, y1 (exclusive).
    public func opaqueBounds() -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        var x0 = Int.max, y0 = Int.max, x1 = Int.min, y1 = Int.min
        let w = pixels.width
        for py in 0..<pixels.height { for px in 0..<w where pixels.data[(py * w + px) * 4 + 3] >= 128 {
            x0 = min(x0, px); x1 = max(x1, px); y0 = min(y0, py); y1 = max(y1, py)
        } }
        return x1 < x0 ? nil : (x + x0, y + y0, x + x1 + 1, y + y1 + 1)
    }
}
