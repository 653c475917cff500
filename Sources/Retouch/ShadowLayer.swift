import Foundation
import PipelineCore

/// The shadow the master carries, as an opacity (0–1) over the backdrop at each position.
enum ShadowLayer {
    case none
    /// The contact shadow as shot: darkening measured against the backdrop model.
    case measured
    /// A soft elliptical contact shadow under the product's base, the same for every asset.
    case synthetic(centreX: Float, centreY: Float, radiusX: Float, radiusY: Float, opacity: Float)

    /// Opacities below this are dropped, so the backdrop away from the shadow stays pure white.
    static let floor: Float = 0.03

    /// The synthetic shadow for a product box given in fine (master-scale) frame coordinates.
    static func synthetic(productBox box: (x: Float, y: Float, w: Float, h: Float), opacity: Double) -> ShadowLayer {
        .synthetic(centreX: box.x + box.w / 2, centreY: box.y + box.h - box.w * 0.01,
                   radiusX: box.w * 0.55, radiusY: max(box.w * 0.06, 2), opacity: Float(opacity))
    }

    /// Its reach below and beside the product box, in the same units: what the crop must include.
    /// Beyond `reach` radii even a full-opacity shadow is below `floor`.
    var extent: (x0: Float, y0: Float, x1: Float, y1: Float)? {
        guard case let .synthetic(cx, cy, rx, ry, _) = self else { return nil }
        let k = ShadowLayer.reach
        return (cx - rx * k, cy - ry * k, cx + rx * k, cy + ry * k)
    }
    /// exp(-2.5 r²) < 0.03 for r > 1.19.
    static let reach: Float = 1.2

    @inline(__always) func opacity(gx: Int, gy: Int, grid: CoarseGrid, shade: [Float]) -> Float {
        let o: Float
        switch self {
        case .none: return 0
        case .measured: o = 1 - grid.sample(shade, gx, gy)
        case let .synthetic(cx, cy, rx, ry, peak):
            let dx = (Float(gx) + 0.5 - cx) / rx, dy = (Float(gy) + 0.5 - cy) / ry
            let r2 = dx * dx + dy * dy
            if r2 > ShadowLayer.reach * ShadowLayer.reach { return 0 }
            o = peak * expf(-2.5 * r2)
        }
        return o < ShadowLayer.floor ? 0 : min(o, 1)
    }
}
