import Foundation
import Generate
import Imaging
import PipelineCore
import XCTest

/// The product's outline on a plate: no dark dots beside it, where the master's mask held specks.
final class OutlineTests: XCTestCase {
    static func level(_ p: PixelBuffer, _ x: Int, _ y: Int) -> Double {
        let i = (y * p.width + x) * p.bands
        return 0.2126 * Double(p.data[i]) + 0.7152 * Double(p.data[i + 1]) + 0.0722 * Double(p.data[i + 2])
    }

    /// Output pixels outside the product's solid part (as mask.png itself says), within
    /// `reach` px of it, that are much darker than both the bare plate there and the darkest solid
    /// product pixel near it: a dot neither plate nor product explains.
    static func darkDots(_ r: SceneCompositor.Result, bare: PixelBuffer, mask: PixelBuffer, reach: Int = 6) -> (dots: Int, ring: Int) {
        let w = r.pixels.width, h = r.pixels.height
        // Solid: alpha ≥ 128 with most of its 5×5 neighbourhood so too; a speck of a few pixels is not.
        var solid = [Bool](repeating: false, count: w * h)
        for y in 2..<(h - 2) { for x in 2..<(w - 2) where mask.data[y * w + x] >= 128 {
            var n = 0
            for dy in -2...2 { for dx in -2...2 where mask.data[(y + dy) * w + x + dx] >= 128 { n += 1 } }
            solid[y * w + x] = n >= 13
        } }
        var dots = 0, ring = 0
        for y in reach..<(h - reach) { for x in reach..<(w - reach) where !solid[y * w + x] {
            var productMin = Double.infinity
            for dy in -reach...reach { for dx in -reach...reach where solid[(y + dy) * w + x + dx] {
                productMin = min(productMin, level(r.pixels, x + dx, y + dy))
            } }
            guard productMin.isFinite else { continue }
            ring += 1
            let v = level(r.pixels, x, y), reference = min(productMin, level(bare, x, y))
            if v < reference * 0.7 && v < reference - 25 { dots += 1 }
        } }
        return (dots, ring)
    }

    func testNoDarkDotsBesideTheOutlineOfARealMaster() throws {
        let product = try GenerateFixtures.product("duck")
        var plate = try GenerateFixtures.plate("by-the-water")
        // Shadows off: the floor beside the outline is the plate.
        plate.light.shadowOpacity = 0; plate.light.contactOpacity = 0
        var o = SceneCompositor.Options(targetLongSide: 2000)
        o.seed = 1
        let r = try SceneCompositor.composite(product, on: plate, options: o)
        let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
        // mask.png as retouch wrote it, at the output: the outline to look beside.
        let p = r.placement
        let scaled = try product.mask.resized(by: p.scale).castUChar().pixels()
        var mask = PixelBuffer(width: bare.width, height: bare.height, bands: 1)
        for y in 0..<scaled.height { for x in 0..<scaled.width {
            let ox = x + p.offsetX, oy = y + p.offsetY
            guard ox >= 0, oy >= 0, ox < mask.width, oy < mask.height else { continue }
            mask.data[oy * mask.width + ox] = scaled.data[(y * scaled.width + x) * scaled.bands]
        } }
        let found = OutlineTests.darkDots(r, bare: bare, mask: mask)
        print("measured: \(found.dots) dark dots in \(found.ring) pixels beside the duck's outline")
        XCTAssertGreaterThan(found.ring, 5000)
        XCTAssertLessThanOrEqual(found.dots, 3)
        XCTAssertEqual(ProductFidelity.measure(output: r.pixels, product: r.product, adjustment: r.adjustment).maxDeltaE, 0)
    }

    func testADetachedPartAsLargeAsAnEarringStays() throws {
        try Vips.start()
        // Two discs of product on white, and a 2×2 speck: the speck goes, both discs stay.
        let w = 300, h = 160
        var rgba = PixelBuffer(width: w, height: h, bands: 4), mask = PixelBuffer(width: w, height: h, bands: 1)
        func disc(_ cx: Int, _ cy: Int, _ r: Int) {
            for y in 0..<h { for x in 0..<w where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                mask.data[y * w + x] = 255; rgba.data[(y * w + x) * 4 ..< (y * w + x) * 4 + 4] = [200, 40, 40, 255]
            } }
        }
        disc(80, 75, 60); disc(220, 75, 12)
        for (x, y) in [(160, 120), (161, 120), (160, 121), (161, 121)] { mask.data[y * w + x] = 200; rgba.data[(y * w + x) * 4 ..< (y * w + x) * 4 + 4] = [0, 0, 0, 200] }
        let product = MasterProduct(master: try Image(rgba), mask: try Image(mask), productBox: [20, 15, 213, 121])
        let placement = VariantPlacement(scale: 1, offsetX: 0, offsetY: 0, outputWidth: w, outputHeight: h, plateScale: 1,
                                         contact: [150, 136], rule: "height_share", limitedByMaster: false)
        let placed = try PlacedProduct.make(product, placement: placement)
        func alpha(_ x: Int, _ y: Int) -> UInt8 { placed.pixels.data[((y - placed.y) * placed.pixels.width + x - placed.x) * 4 + 3] }
        XCTAssertEqual(alpha(80, 75), 255); XCTAssertEqual(alpha(220, 75), 255, "the smaller part is product")
        XCTAssertEqual(alpha(160, 120), 0, "the speck is not")
    }
}
