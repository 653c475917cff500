import Foundation
import Generate
import Imaging
import PipelineCore
import XCTest

/// A generator that changed the product is caught; the compositor's output is not; pasting the true
/// product back repairs what a generator returned.
final class ProductFidelityTests: XCTestCase {
    func composite() throws -> SceneCompositor.Result {
        var o = SceneCompositor.Options(targetLongSide: 1200)
        o.matchStrength = 0
        return try SceneCompositor.composite(try GenerateFixtures.vaseProduct(), on: try GenerateFixtures.plate("coffee"), options: o)
    }

    /// Applies `change` to every product pixel with alpha above half, in place.
    func altered(_ r: SceneCompositor.Result, where keep: (Int, Int) -> Bool = { _, _ in true }, _ change: (inout UInt8, inout UInt8, inout UInt8) -> Void) -> PixelBuffer {
        var out = r.pixels
        let p = r.product
        for py in 0..<p.pixels.height { for px in 0..<p.pixels.width where p.pixels.data[(py * p.pixels.width + px) * 4 + 3] >= 128 {
            let x = p.x + px, y = p.y + py
            guard x >= 0, y >= 0, x < out.width, y < out.height, keep(x, y) else { continue }
            let i = (y * out.width + x) * 3
            var (r, g, b) = (out.data[i], out.data[i + 1], out.data[i + 2])
            change(&r, &g, &b)
            out.data[i] = r; out.data[i + 1] = g; out.data[i + 2] = b
        } }
        return out
    }

    func testAHueShiftedProductFailsAndTheCompositorsOutputPasses() throws {
        let r = try composite()
        let good = ProductFidelity.measure(output: r.pixels, product: r.product)
        // Red → orange-ish: a generator that "improved" the colour.
        let shifted = altered(r) { red, green, _ in green = UInt8(min(255, Int(green) + 40)); red = UInt8(max(0, Int(red) - 10)) }
        let bad = ProductFidelity.measure(output: shifted, product: r.product)
        print("measured: compositor \(good)\nmeasured: hue-shifted product \(bad)")
        XCTAssertEqual(ProductFidelity.failures(good), [])
        XCTAssertTrue(ProductFidelity.failures(bad).contains("mean"), "\(ProductFidelity.failures(bad))")
        XCTAssertGreaterThan(bad.shareOver, 0.9)
    }

    func testALineDrawnAcrossTheProductFails() throws {
        let r = try composite()
        let o = try XCTUnwrap(r.product.opaqueBounds())
        let row = (o.y0 + o.y1) / 2
        // Three rows of dark grey across the product: a garbled label, a scratch.
        let lined = altered(r, where: { _, y in abs(y - row) <= 1 }) { red, green, blue in red = 40; green = 40; blue = 40 }
        let bad = ProductFidelity.measure(output: lined, product: r.product)
        print("measured: line across the product \(bad)")
        XCTAssertLessThan(bad.meanDeltaE, 1, "a thin line hardly moves the mean")
        XCTAssertTrue(ProductFidelity.failures(bad).contains("max"), "\(ProductFidelity.failures(bad))")
    }

    func testTheTrueProductPastedOverAGeneratorsImagePassesAgain() throws {
        let r = try composite()
        let shifted = altered(r) { red, green, blue in swap(&red, &blue); green = green / 2 }
        XCTAssertNotEqual(ProductFidelity.failures(ProductFidelity.measure(output: shifted, product: r.product)), [])
        // The generator returned a smaller image: it is resampled to the placement's size first.
        let small = try Image(shifted).resized(by: 0.5)
        let repaired = try ProductFidelity.compositeTrueProduct(over: small, product: r.product, placement: r.placement)
        XCTAssertEqual([repaired.width, repaired.height], [r.placement.outputWidth, r.placement.outputHeight])
        let f = ProductFidelity.measure(output: repaired, product: r.product)
        print("measured: generator's image with the true product pasted back \(f)")
        XCTAssertEqual(f.maxDeltaE, 0)
    }
}
