import Foundation
import Imaging
import PipelineCore

/// One cut-out from one set of coarse labels: the colour correction measured where the product
/// stands, the crop (product, its shadow, a margin), the full-size matte and composition, and the
/// stage's judgement of the result. Made once from keying and, when the network's cut-out wins,
/// once more from the network's labels.
struct CutOut {
    var correction: ColourCorrection
    /// CIEDE2000 between the product's mean colour before and after the correction.
    var productDeltaE: Double
    var region: SourceReader.Region
    var composed: MasterComposer.Result
    var assessment: Assessment
    /// The product's box in coarse pixels: x0, y0, x1, y1 (inclusive).
    var productBounds: (Int, Int, Int, Int)
    var productLong: Double
    /// Source pixels per coarse pixel.
    var toSource: Double
    /// The master's region in source pixels.
    var crop: (x0: Int, y0: Int, x1: Int, y1: Int)

    init(source: SourceReader, coarse: CoarseMatte, settings: RetouchSettings, probability: [Float]?,
         memoryLimitMB: Int, clock: inout StepClock) throws {
        let cw = coarse.width, ch = coarse.height
        var bx0 = cw, by0 = ch, bx1 = -1, by1 = -1
        var sx = 0.0, sy = 0.0, count = 0.0
        for y in 0..<ch { for x in 0..<cw where coarse.labels[y * cw + x] == .product {
            bx0 = min(bx0, x); bx1 = max(bx1, x); by0 = min(by0, y); by1 = max(by1, y)
            sx += Double(x); sy += Double(y); count += 1
        } }
        let productCount = count
        if bx1 < 0 { bx0 = 0; by0 = 0; bx1 = cw - 1; by1 = ch - 1; sx = Double(cw) / 2; sy = Double(ch) / 2; count = 1 }
        let centre = (u: Float((sx / count + 0.5) / Double(cw)), v: Float((sy / count + 0.5) / Double(ch)))
        let reference = coarse.model.colour(u: centre.u, v: centre.v)
        // Too little backdrop to model: the frame is left as shot rather than corrected from a guess.
        let coverage = 1 - productCount / Double(cw * ch)
        var product: [SIMD3<Float>] = []
        product.reserveCapacity(Int(productCount))
        for i in coarse.labels.indices where coarse.labels[i] == .product { product.append(coarse.observed[i]) }
        correction = ColourCorrection(reference: pointwiseMax(reference, SIMD3(repeating: 1e-4)), settings: settings,
                                      reliable: coverage >= Assessment.minCoverage, product: product)
        productDeltaE = ColourCorrection.productChange(product, gains: correction.gains)

        // The crop: product, its shadow as the setting will draw it, and a margin.
        toSource = Double(source.width) / Double(cw)
        productLong = Double(max(bx1 - bx0, by1 - by0) + 1)
        var (cx0, cy0, cx1, cy1) = (Double(bx0), Double(by0), Double(bx1 + 1), Double(by1 + 1))
        let boxW = cx1 - cx0, boxH = cy1 - cy0
        switch settings.shadow {
        case .none: break
        case .keep:
            for y in 0..<ch { for x in 0..<cw where coarse.labels[y * cw + x] == .shadow && 1 - coarse.shade[y * cw + x] >= ShadowLayer.floor {
                let (fx, fy) = (Double(x), Double(y))
                guard fx >= Double(bx0) - boxW / 2, fx <= Double(bx1) + boxW / 2, fy >= Double(by0) - boxH / 2, fy <= Double(by1) + boxH / 2 else { continue }
                cx0 = min(cx0, fx); cx1 = max(cx1, fx + 1); cy0 = min(cy0, fy); cy1 = max(cy1, fy + 1)
            } }
        case .synthesise:
            let layer = ShadowLayer.synthetic(productBox: (Float(bx0), Float(by0), Float(boxW), Float(boxH)), opacity: settings.shadowOpacity)
            if let e = layer.extent {
                cx0 = min(cx0, Double(e.x0)); cx1 = max(cx1, Double(e.x1)); cy0 = min(cy0, Double(e.y0)); cy1 = max(cy1, Double(e.y1))
            }
        }
        let margin = 2 + productLong * RetouchStage.marginShare
        let toSource = self.toSource
        crop = (max(0, Int(((cx0 - margin) * toSource).rounded(.down))), max(0, Int(((cy0 - margin) * toSource).rounded(.down))),
                min(source.width, Int(((cx1 + margin) * toSource).rounded(.up))), min(source.height, Int(((cy1 + margin) * toSource).rounded(.up))))
        let c = crop
        region = try RetouchStage.guarded("decode", memoryLimitMB) {
            try source.region(x: c.x0, y: c.y0, width: c.x1 - c.x0, height: c.y1 - c.y0, maxLong: settings.masterLongSide)
        }
        clock.lap("decode-full")

        let grid = CoarseGrid(coarseWidth: cw, coarseHeight: ch, fineWidth: region.frameWidth, fineHeight: region.frameHeight)
        composed = MasterComposer.compose(fine: region.pixels, originX: region.originX, originY: region.originY,
                                          grid: grid, coarse: coarse, gains: correction.gains, probability: probability) { box in
            switch settings.shadow {
            case .none: return .none
            case .keep: return .measured
            case .synthesise: return .synthetic(productBox: box, opacity: settings.shadowOpacity)
            }
        }
        clock.lap("matte-and-compose")
        assessment = Assessment(coarse: coarse, edgeContrasts: composed.edgeContrasts, settings: settings,
                                correctionCapped: correction.capped, colouredUnreferenced: correction.unreferenced)
        productBounds = (bx0, by0, bx1, by1)
    }
}
