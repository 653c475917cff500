import Foundation
import Imaging
import PipelineCore

/// The built-in generator: a plate photograph with the product's true pixels placed on it. Its steps:
/// 1. plan the placement (`PlacementPlanner`), 2. resample the plate to the output and defocus it,
/// 3. place the product (`PlacedProduct`), 4. measure the plate's light and bound the product's
/// adjustment (`ProductMatch`), 5. the cast shadow (`CastShadow`) and contact shadow, 6. lay shadow,
/// reflection, product, light wrap and occluder in one pass (`SceneLayers`).
/// Nothing random happens: the seed only chooses the spot along a contact line.
public enum SceneCompositor {
    public struct Options: Sendable {
        /// The long side asked for: the largest size the variant's channels need.
        public var targetLongSide: Int
        /// Master pixels are never drawn larger than this (see `PlacementPlanner`).
        public var maxMasterScale = 1.0
        /// How far toward the plate's light the product is moved (0: not at all).
        public var matchStrength = 0.5
        public var matchBounds = ProductMatch.Bounds()
        /// Share of the blurred plate mixed into the product's outermost ring of pixels.
        public var lightWrap = 0.35
        /// How many pixels in from the outline light wrap reaches (it fades to nothing there); held below
        /// `ProductFidelity.defaultErosion`, so fidelity never measures a wrapped pixel.
        public var lightWrapWidth = 2.5
        public var seed: UInt64 = 0

        public init(targetLongSide: Int) { self.targetLongSide = targetLongSide }
    }

    public struct Result {
        /// The variant, RGB.
        public var pixels: PixelBuffer
        public var placement: VariantPlacement
        public var adjustment: ProductAdjustment
        /// The product as placed, before the adjustment: what fidelity is measured against.
        public var product: PlacedProduct
        /// How far each of its pixels lies inside its outline (`EdgeDistance`).
        var distance: [Float]
        public var timings: [String: Double]
    }

    public static func composite(_ product: MasterProduct, on plate: ScenePlate, options: Options) throws -> Result {
        var clock = Laps()
        let placement = try PlacementPlanner.plan(.init(masterWidth: product.master.width, masterHeight: product.master.height,
                                                        productBox: product.productBox, productHeightCm: product.heightCm,
                                                        targetLongSide: options.targetLongSide, maxMasterScale: options.maxMasterScale,
                                                        seed: options.seed), on: plate)
        clock.lap("placement")
        let platePixels = try plateAtOutput(plate, placement)
        clock.lap("plate")
        let placed = try PlacedProduct.make(product, placement: placement)
        clock.lap("product")
        let height = Double(product.productBox[3]) * placement.scale
        let baseY = placement.contact[1]
        let adjustment = options.matchStrength > 0
            ? ProductMatch.measure(plate: platePixels, product: placed, baseY: baseY, height: height,
                                   strength: options.matchStrength, bounds: options.matchBounds)
            : .identity
        clock.lap("match")
        let cast = CastShadow.map(placed, placement: placement, light: plate.light, height: height,
                                  outputWidth: placement.outputWidth, outputHeight: placement.outputHeight)
        let contact = ContactShadow(placed, baseY: baseY, height: height, opacity: plate.light.contactOpacity)
        let occluder = try plate.occluderPath.map { try occluderAtOutput($0, placement) }
        clock.lap("shadows")
        let distance = EdgeDistance.map(placed)
        var layers = SceneLayers(plate: platePixels, product: placed, tables: ProductMatch.tables(adjustment), cast: cast, contact: contact,
                                 occluder: occluder, baseY: baseY, height: height, reflection: plate.reflection,
                                 lightWrap: Float(options.lightWrap), lightWrapWidth: Float(min(options.lightWrapWidth, Double(ProductFidelity.defaultErosion))),
                                 distance: distance)
        let pixels = layers.render()
        clock.lap("compose")
        return Result(pixels: pixels, placement: placement, adjustment: adjustment, product: placed, distance: distance, timings: clock.laps)
    }

    /// The plate in sRGB at the output's exact size, defocused when its sidecar asks.
    public static func plateAtOutput(_ plate: ScenePlate, _ p: VariantPlacement) throws -> PixelBuffer {
        // A plate much larger than the output is decoded at 1/2, 1/4 or 1/8 by the JPEG decoder itself.
        let shrink = [8, 4, 2].first { Double($0) * p.plateScale <= 1 } ?? 1
        var image = try Image.open(plate.imagePath, shrink: shrink).toSRGB8()
        let decodedShrink = Double(plate.width) / Double(image.width)
        if image.hasAlpha || image.bands > 3 { image = try image.flattened(on: .white) }
        if image.bands < 3 { image = try image.linear([1, 1, 1], [0, 0, 0]).castUChar() }
        // Defocus is stated in plate pixels: blurring before resampling is the same picture, and cheaper.
        if plate.defocus > 0 { image = try image.blurred(sigma: plate.defocus / decodedShrink).castUChar() }
        // Bicubic either way: the plate is background, and Lanczos' extra sharpness is not worth its time here.
        if p.outputWidth > image.width { return Enlarge.cubic(try image.pixels(), width: p.outputWidth, height: p.outputHeight) }
        return try exactSize(image.resizedCubic(by: Double(p.outputWidth) / Double(image.width)), p).pixels()
    }

    /// The occluder's first band (255: in front of the product) at the output's size.
    static func occluderAtOutput(_ path: String, _ p: VariantPlacement) throws -> PixelBuffer {
        let o = try Image.open(path)
        // Three bands while resizing, so the edges can be filled like the plate's.
        let band = try o.band(o.hasAlpha ? o.bands - 1 : 0).linear([1, 1, 1], [0, 0, 0]).castUChar()
        let scale = Double(p.outputWidth) / Double(o.width)
        return try exactSize(band.resizedCubic(by: scale), p).band(0).castUChar().pixels()
    }

    /// Resampling rounds the size; a pixel more or less is cropped or repeated off the far edges.
    static func exactSize(_ image: Image, _ p: VariantPlacement) throws -> Image {
        if image.width == p.outputWidth && image.height == p.outputHeight { return image }
        let grown = image.width < p.outputWidth || image.height < p.outputHeight
            ? try image.embedded(x: 0, y: 0, width: max(image.width, p.outputWidth), height: max(image.height, p.outputHeight), background: .white)
            : image
        return try grown.cropped(x: 0, y: 0, width: p.outputWidth, height: p.outputHeight)
    }
}

/// Wall time per step in milliseconds.
struct Laps {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var laps: [String: Double] = [:]
    mutating func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps[name, default: 0] += (Double(now - last) / 1e6 * 10).rounded() / 10
        last = now
    }
}
