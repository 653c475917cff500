import Foundation
import Generate
import Imaging
import PipelineCore
import XCTest

/// The compositor on real plates with a real retouched master (GenerateFixtures).
final class SceneCompositorTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try GenerateFixtures.scratch() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func options(_ long: Int = 1600, seed: UInt64 = 7) -> SceneCompositor.Options {
        var o = SceneCompositor.Options(targetLongSide: long)
        o.seed = seed
        return o
    }

    func testTheProductsBaseSitsOnTheContactLineAtTheStatedScale() throws {
        let product = try GenerateFixtures.vaseProduct()
        for name in ["coffee", "by-the-water"] {
            let plate = try GenerateFixtures.plate(name)
            let r = try SceneCompositor.composite(product, on: plate, options: options(800))
            let p = r.placement
            let opaque = try XCTUnwrap(r.product.opaqueBounds())
            let share = try XCTUnwrap(plate.scale.productHeightShare)
            let wanted = share * Double(p.outputHeight)
            let height = Double(opaque.y1 - opaque.y0)
            print(String(format: "measured: %@ base at %d, contact %.1f (%+.1f px); height %.0f px for %.1f (%+.2f%%); scale %.4f, output %d×%d",
                         name, opaque.y1, p.contact[1], Double(opaque.y1) - p.contact[1], height, wanted,
                         (height / wanted - 1) * 100, p.scale, p.outputWidth, p.outputHeight))
            XCTAssertEqual(Double(opaque.y1), p.contact[1], accuracy: 2, "\(name): the lowest opaque row stands on the contact line")
            XCTAssertEqual(height / wanted, 1, accuracy: 0.02, "\(name): height at the stated scale")
            XCTAssertEqual(Double(opaque.x0 + opaque.x1) / 2, p.contact[0], accuracy: 2, "\(name): centred on the contact point")
            XCTAssertLessThanOrEqual(p.scale, 1)
        }
    }

    func testTheCataloguesHeightSetsTheSizeOnAPlateWithPixelsPerCentimetre() throws {
        let product = try GenerateFixtures.vaseProduct(heightCm: 24)
        let plate = try GenerateFixtures.plate("by-the-water")          // 9 px/cm
        let r = try SceneCompositor.composite(product, on: plate, options: options(800))
        let opaque = try XCTUnwrap(r.product.opaqueBounds())
        let wanted = 24 * 9 * r.placement.plateScale
        let height = Double(opaque.y1 - opaque.y0)
        print(String(format: "measured: a 24 cm product at 9 px/cm: %.0f px for %.1f (%+.2f%%), base %d on %.1f",
                     height, wanted, (height / wanted - 1) * 100, opaque.y1, r.placement.contact[1]))
        XCTAssertEqual(r.placement.rule, "px_per_cm")
        XCTAssertEqual(height / wanted, 1, accuracy: 0.02)
        XCTAssertEqual(Double(opaque.y1), r.placement.contact[1], accuracy: 2)
    }

    func testLightWrapTouchesTheOutlineOnlyNeverTheInterior() throws {
        let product = try GenerateFixtures.vaseProduct()
        let plate = try GenerateFixtures.plate("coffee")
        var dry = options(); dry.lightWrap = 0
        let wrapped = try SceneCompositor.composite(product, on: plate, options: options())
        let plain = try SceneCompositor.composite(product, on: plate, options: dry)
        let p = wrapped.product, w = wrapped.pixels.width
        var edgeChanged = 0, edge = 0
        for py in 1..<(p.pixels.height - 1) { for px in 1..<(p.pixels.width - 1) where p.pixels.data[(py * p.pixels.width + px) * 4 + 3] == 255 {
            let i = ((p.y + py) * w + p.x + px) * 3
            let changed = (0..<3).contains { wrapped.pixels.data[i + $0] != plain.pixels.data[i + $0] }
            // On the outline: a neighbour is outside the product.
            let outline = [(-1, 0), (1, 0), (0, -1), (0, 1)].contains { p.pixels.data[((py + $0.1) * p.pixels.width + px + $0.0) * 4 + 3] < 128 }
            if outline { edge += 1; if changed { edgeChanged += 1 } }
        } }
        let f = ProductFidelity.measure(output: wrapped.pixels, product: wrapped.product, adjustment: wrapped.adjustment)
        print("measured: light wrap changed \(edgeChanged) of \(edge) outline pixels; eroded interior \(f)")
        XCTAssertGreaterThan(Double(edgeChanged) / Double(max(edge, 1)), 0.5, "the outline takes the plate's light")
        XCTAssertEqual(f.maxDeltaE, 0, "the interior (eroded by 3 px) is untouched")
    }

    func testALargePlateIsDecodedShrunkAndPlacedTheSame() throws {
        // The coffee plate at 3000×2000, with its sidecar's plate pixels scaled to match.
        try Image.open("\(GenerateFixtures.plates)/coffee.jpg").resized(by: 5).saveJPEG("\(dir)/big.jpg", quality: 90)
        try "[contact]\npoint = [2725, 1860]\n[scale]\nproduct_height_share = 0.42\n".write(toFile: "\(dir)/big.toml", atomically: true, encoding: .utf8)
        let big = try SceneLibrary.loadPlate(sidecar: "\(dir)/big.toml")
        let r = try SceneCompositor.composite(try GenerateFixtures.vaseProduct(), on: big, options: options(800))
        let small = try SceneCompositor.composite(try GenerateFixtures.vaseProduct(), on: try GenerateFixtures.plate("coffee"), options: options(800))
        XCTAssertEqual([r.placement.outputWidth, r.placement.outputHeight], [800, 533])
        XCTAssertEqual(r.placement.offsetX, small.placement.offsetX); XCTAssertEqual(r.placement.offsetY, small.placement.offsetY)
        // The same scene either way: the plate pixels far from the product agree within JPEG and resampling noise.
        let a = GenerateFixtures.meanLevel(r.pixels, x0: 0, y0: 0, x1: 300, y1: 300), b = GenerateFixtures.meanLevel(small.pixels, x0: 0, y0: 0, x1: 300, y1: 300)
        print(String(format: "measured: a 3000×2000 plate and its 600×400 original, top-left level %.1f and %.1f", a, b))
        XCTAssertEqual(a, b, accuracy: 2)
    }

    func testInsideTheProductTheOutputIsTheMastersPixelsAfterTheRecordedAdjustment() throws {
        let product = try GenerateFixtures.vaseProduct()
        let plate = try GenerateFixtures.plate("coffee")
        let r = try SceneCompositor.composite(product, on: plate, options: options())
        let asComposited = ProductFidelity.measure(output: r.pixels, product: r.product, adjustment: r.adjustment)
        // Independently: the whole master resampled by vips at the recorded scale and put at the recorded offset.
        let scaled = try product.master.resizedPremultiplied(by: r.placement.scale).pixels()
        let independent = PlacedProduct(x: r.placement.offsetX, y: r.placement.offsetY, pixels: try maskAsAlpha(scaled, r.placement))
        let againstVips = ProductFidelity.measure(output: r.pixels, product: independent, adjustment: r.adjustment)
        let record = try SceneVariant.render(product, on: plate, options: options(), to: "\(dir)/v.jpg")
        print("measured: fidelity in memory \(asComposited)")
        print("measured: fidelity against an independent vips placement of the whole master \(againstVips)")
        print("measured: fidelity of the written JPEG (q95, 4:4:4) \(record.fidelity); adjustment \(r.adjustment)")
        XCTAssertEqual(asComposited.maxDeltaE, 0, "solid interior pixels are the adjusted master's bytes")
        XCTAssertGreaterThan(asComposited.pixels, 10_000)
        XCTAssertLessThanOrEqual(againstVips.meanDeltaE, 1); XCTAssertLessThanOrEqual(againstVips.p95DeltaE, 1)
        XCTAssertLessThanOrEqual(record.fidelity.meanDeltaE, 1); XCTAssertLessThanOrEqual(record.fidelity.p95DeltaE, 2)
        XCTAssertEqual(ProductFidelity.failures(record.fidelity), [])
        XCTAssertEqual(record.generator, "scene"); XCTAssertEqual(record.scene, "coffee"); XCTAssertNil(record.prompt)
        XCTAssertEqual(record.placement, r.placement); XCTAssertEqual(record.file, "v.jpg")
    }

    /// The master's RGB with the mask (resampled the same way) as alpha: the product alone, shadow left out.
    func maskAsAlpha(_ master: PixelBuffer, _ p: VariantPlacement) throws -> PixelBuffer {
        let v = try GenerateFixtures.vase()
        let mask = try Image.open("\(v.dir)/mask.png").resized(by: p.scale).pixels()
        var out = master
        for i in 0..<(out.width * out.height) where i < mask.width * mask.height {
            out.data[i * 4 + 3] = mask.data[i * mask.bands]
        }
        return out
    }

    func testTheAdjustmentIsMeasuredBoundedAndRecorded() throws {
        let product = try GenerateFixtures.vaseProduct()
        let r = try SceneCompositor.composite(product, on: try GenerateFixtures.plate("coffee"), options: options())
        let a = r.adjustment
        if let keep = ProcessInfo.processInfo.environment["PP_KEEP_VARIANTS"] { try Image(r.pixels).saveJPEG("\(keep)/coffee.jpg", quality: 90) }
        print("measured: adjustment on the coffee plate \(a)")
        let bounds = ProductMatch.Bounds()
        let wb = a.gains.map { $0 / pow(2, a.exposureEV) }
        for g in wb { XCTAssertLessThanOrEqual(abs(g - 1), bounds.whiteBalance + 1e-3, "gain \(g)") }
        XCTAssertTrue(bounds.exposureEV.contains(a.exposureEV))
        XCTAssertTrue(bounds.contrast.contains(a.contrast))
        XCTAssertGreaterThan(wb[0], wb[2], "a warm wooden bar warms the product")
        XCTAssertLessThan(a.productDeltaE, 3, "the bounds keep the product's mean colour close")
        // Matching off: the product's bytes are the master's.
        var off = options(); off.matchStrength = 0
        let plain = try SceneCompositor.composite(product, on: try GenerateFixtures.plate("coffee"), options: off)
        XCTAssertEqual(plain.adjustment, .identity)
        XCTAssertEqual(ProductFidelity.measure(output: plain.pixels, product: plain.product).maxDeltaE, 0)
    }

    func testThereIsAShadowUnderTheProduct() throws {
        let product = try GenerateFixtures.vaseProduct()
        for name in ["coffee", "by-the-water"] {
            let plate = try GenerateFixtures.plate(name)
            let r = try SceneCompositor.composite(product, on: plate, options: options())
            let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
            let o = try XCTUnwrap(r.product.opaqueBounds())
            let inset = (o.x1 - o.x0) / 4
            // Just below the base, across the middle half of the product's width.
            let (x0, x1, y0, y1) = (o.x0 + inset, o.x1 - inset, o.y1 + 1, o.y1 + 5)
            let with = GenerateFixtures.meanLevel(r.pixels, x0: x0, y0: y0, x1: x1, y1: y1)
            let without = GenerateFixtures.meanLevel(bare, x0: x0, y0: y0, x1: x1, y1: y1)
            print(String(format: "measured: %@ below the base: %.1f with the product, %.1f plate alone (%.0f%% darker)",
                         name, with, without, (1 - with / without) * 100))
            XCTAssertLessThan(with, without * 0.5, "\(name): the floor under the product is darker")
            // Far from the product the plate is untouched.
            XCTAssertEqual(GenerateFixtures.meanLevel(r.pixels, x0: 0, y0: 0, x1: 40, y1: 40), GenerateFixtures.meanLevel(bare, x0: 0, y0: 0, x1: 40, y1: 40))
        }
    }

    func testTheCastShadowFallsAwayFromTheLight() throws {
        let product = try GenerateFixtures.vaseProduct()
        let plate = try GenerateFixtures.plate("by-the-water")    // backlit from the right: the shadow comes forward and left
        let r = try SceneCompositor.composite(product, on: plate, options: options())
        let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
        if let keep = ProcessInfo.processInfo.environment["PP_KEEP_VARIANTS"] { try Image(r.pixels).saveJPEG("\(keep)/cast.jpg", quality: 90) }
        let o = try XCTUnwrap(r.product.opaqueBounds())
        let h = Double(o.y1 - o.y0), cx = Double(o.x0 + o.x1) / 2, base = Double(o.y1)
        // Where the middle of the product's height lands on the floor, and the mirror spot on the lit side.
        let az = plate.light.azimuth * .pi / 180, reach = 1 / tan(plate.light.elevation * .pi / 180)
        let dx = -sin(az) * reach * h / 2, dy = -cos(az) * 0.35 * reach * h / 2
        func ratio(_ x: Double, _ y: Double) -> Double {
            let (x0, y0) = (Int(x) - 6, Int(y) - 6)
            return GenerateFixtures.meanLevel(r.pixels, x0: x0, y0: y0, x1: x0 + 12, y1: y0 + 12)
                / GenerateFixtures.meanLevel(bare, x0: x0, y0: y0, x1: x0 + 12, y1: y0 + 12)
        }
        let shadowSide = ratio(cx + dx, base + dy), litSide = ratio(cx - dx, base + dy)
        print(String(format: "measured: cast shadow at (%+.0f, %+.0f) px from the base: %.2f of the plate's level; the lit side %.2f", dx, dy, shadowSide, litSide))
        XCTAssertLessThan(shadowSide, 0.75)
        XCTAssertGreaterThan(litSide, 0.97)
    }

    func testTheSameInputsGiveTheSameBytes() throws {
        let product = try GenerateFixtures.vaseProduct()
        let plate = try GenerateFixtures.plate("by-the-water")
        _ = try SceneVariant.render(product, on: plate, options: options(seed: 3), to: "\(dir)/a.jpg")
        _ = try SceneVariant.render(product, on: plate, options: options(seed: 3), to: "\(dir)/b.jpg")
        _ = try SceneVariant.render(product, on: plate, options: options(seed: 4), to: "\(dir)/c.jpg")
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.jpg")), b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b.jpg"))
        let c = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/c.jpg"))
        print("measured: two runs \(SHA256.hex(a).prefix(16)) and \(SHA256.hex(b).prefix(16)), another seed \(SHA256.hex(c).prefix(16))")
        XCTAssertEqual(SHA256.hex(a), SHA256.hex(b))
        XCTAssertNotEqual(a, c, "another seed stands the product elsewhere on the contact line")
    }

    func testAnOccluderPixelStaysInFront() throws {
        let product = try GenerateFixtures.vaseProduct()
        let base = try GenerateFixtures.plate("coffee")
        let plain = try SceneCompositor.composite(product, on: base, options: options())
        // An occluder over the lower third of where the product stands, in plate pixels.
        let o = try XCTUnwrap(plain.product.opaqueBounds())
        let k = plain.placement.plateScale
        let ox0 = Int(Double(o.x0) / k), ox1 = Int(Double(o.x1) / k), oy0 = Int(Double(o.y1) / k) - Int(Double(o.y1 - o.y0) / k / 3)
        var mask = PixelBuffer(width: base.width, height: base.height, bands: 1)
        for y in oy0..<base.height { for x in ox0..<ox1 { mask.data[y * base.width + x] = 255 } }
        try FileManager.default.copyItem(atPath: base.imagePath, toPath: "\(dir)/coffee.jpg")
        try Image(mask).savePNG("\(dir)/front.png")
        let sidecar = try String(contentsOfFile: base.sidecarPath, encoding: .utf8) + "\n[effects]\noccluder = \"front.png\"\n"
        try sidecar.write(toFile: "\(dir)/coffee.toml", atomically: true, encoding: .utf8)
        let plate = try SceneLibrary.loadPlate(sidecar: "\(dir)/coffee.toml")
        let r = try SceneCompositor.composite(product, on: plate, options: options())
        let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
        // A pixel well inside both the occluder and the product shows the plate, not the product.
        let x = (o.x0 + o.x1) / 2, y = o.y1 - Int(Double(o.y1 - o.y0) / 6)
        XCTAssertEqual(r.product.pixels.data[((y - r.product.y) * r.product.pixels.width + x - r.product.x) * 4 + 3], 255, "the product is there")
        let i = (y * r.pixels.width + x) * 3
        XCTAssertEqual(Array(r.pixels.data[i..<i + 3]), Array(bare.data[i..<i + 3]), "the occluder is in front of the product")
        let j = (y * plain.pixels.width + x) * 3
        XCTAssertNotEqual(Array(plain.pixels.data[j..<j + 3]), Array(bare.data[i..<i + 3]), "control: without it the product is")
        // Above the occluder the product is still the product.
        let above = ProductFidelity.measure(output: r.pixels, product: r.product, adjustment: r.adjustment)
        XCTAssertGreaterThan(above.shareOver, 0.1, "the occluded third no longer shows the product")
    }

    func testAReflectionMirrorsTheProductBelowItsBase() throws {
        let product = try GenerateFixtures.vaseProduct()
        var plate = try GenerateFixtures.plate("coffee")
        // Shadows off: a dark floor under the base would hide what the reflection adds.
        plate.light.shadowOpacity = 0; plate.light.contactOpacity = 0
        let plain = try SceneCompositor.composite(product, on: plate, options: options())
        plate.reflection = 0.5
        let mirrored = try SceneCompositor.composite(product, on: plate, options: options())
        let o = try XCTUnwrap(plain.product.opaqueBounds())
        let (x0, x1, y0, y1) = (o.x0 + 10, o.x1 - 10, o.y1 + 8, o.y1 + 20)
        let a = GenerateFixtures.meanLevel(plain.pixels, x0: x0, y0: y0, x1: x1, y1: y1)
        let b = GenerateFixtures.meanLevel(mirrored.pixels, x0: x0, y0: y0, x1: x1, y1: y1)
        print(String(format: "measured: below the base %.1f without a reflection, %.1f with one", a, b))
        XCTAssertGreaterThan(abs(a - b), 2)
        XCTAssertEqual(ProductFidelity.measure(output: mirrored.pixels, product: mirrored.product, adjustment: mirrored.adjustment).maxDeltaE, 0)
    }
}

/// The shadows read at the size a shopper sees: a band under the footprint is clearly darker, and no
/// shadow darkens the floor more than its sidecar's opacity.
final class ShadowVisibilityTests: XCTestCase {
    func testTheShadowUnderTheFootprintReadsAt800Pixels() throws {
        for (name, plateName) in [("vase", "coffee"), ("vase", "by-the-water"), ("duck", "by-the-water")] {
            let plate = try GenerateFixtures.plate(plateName)
            var o = SceneCompositor.Options(targetLongSide: 800)
            o.seed = 1
            let r = try SceneCompositor.composite(try GenerateFixtures.product(name), on: plate, options: o)
            let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
            let b = try XCTUnwrap(r.product.opaqueBounds())
            let width = b.x1 - b.x0, height = Double(b.y1 - b.y0), cx = (b.x0 + b.x1) / 2
            // Half the product's width, from the base down 4% of its height.
            let (x0, x1, y0, y1) = (cx - width / 4, cx + width / 4, b.y1, b.y1 + max(3, Int(height * 0.04)))
            let with = GenerateFixtures.meanLevel(r.pixels, x0: x0, y0: y0, x1: x1, y1: y1)
            let without = GenerateFixtures.meanLevel(bare, x0: x0, y0: y0, x1: x1, y1: y1)
            print(String(format: "measured: %@ on %@ at 800 px: a %d×%d band under the base %.0f%% darker (%.1f on %.1f)",
                         name, plateName, x1 - x0, y1 - y0, (1 - with / without) * 100, with, without))
            XCTAssertLessThan(with, without * 0.7, "\(name) on \(plateName): the floor under the product reads dark")
        }
    }

    func testNoShadowDarkensTheFloorBeyondItsOpacity() throws {
        for (cast, contact) in [(0.0, 0.6), (0.55, 0.0)] {
            var plate = try GenerateFixtures.plate("coffee")
            plate.light.shadowOpacity = cast; plate.light.contactOpacity = contact
            let r = try SceneCompositor.composite(try GenerateFixtures.product("vase"), on: plate, options: .init(targetLongSide: 800))
            let bare = try SceneCompositor.plateAtOutput(plate, r.placement)
            let p = r.product
            func outside(_ x: Int, _ y: Int) -> Bool {
                let px = x - p.x, py = y - p.y
                return px < 0 || py < 0 || px >= p.pixels.width || py >= p.pixels.height || p.pixels.data[(py * p.pixels.width + px) * 4 + 3] == 0
            }
            var darkest = 1.0
            for y in 0..<bare.height { for x in 0..<bare.width where outside(x, y) {
                let i = (y * bare.width + x) * 3
                // Level by level: the darkening is the same share of every channel's sRGB level.
                for c in 0..<3 where bare.data[i + c] >= 40 { darkest = min(darkest, Double(r.pixels.data[i + c]) / Double(bare.data[i + c])) }
            } }
            print(String(format: "measured: cast %.2f, contact %.2f: the floor's darkest level %.3f of the plate's", cast, contact, darkest))
            XCTAssertGreaterThanOrEqual(darkest, 1 - max(cast, contact) - 0.02)
            XCTAssertLessThan(darkest, 1 - max(cast, contact) + 0.1, "the shadow reaches near its opacity somewhere")
        }
    }
}
