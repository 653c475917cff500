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

    /// The whole master is resampled, not a crop around the box: a crop's origin lands between output
    /// pixels, and half a pixel's shift of a textured product is a ΔE2000 of several units. So the record's
    /// scale and offset reproduce these pixels exactly.
    public static func make(_ product: MasterProduct, placement: VariantPlacement) throws -> PlacedProduct {
        let master = try product.master.pixels(), mask = try product.mask.pixels()
        guard master.bands == 4 else { throw GenerateError("bad_master", "the master has \(master.bands) bands, not RGBA") }
        guard mask.width == master.width, mask.height == master.height else {
            throw GenerateError("bad_master", "the mask is \(mask.width)×\(mask.height), the master \(master.width)×\(master.height)")
        }
        let cut = productOnly(master: master, mask: mask)
        let resized = placement.scale == 1 ? cut : try Image(cut).resizedPremultiplied(by: placement.scale).pixels()
        return PlacedProduct(x: placement.offsetX, y: placement.offsetY, pixels: resized)
    }

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
