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
    var extent: (x0: Float, y0: Float, x1: Float, y1: Float)? {
        guard case let .synthetic(cx, cy, rx, ry, _) = self else { return nil }
        return (cx - rx * 1.6, cy - ry * 1.6, cx + rx * 1.6, cy + ry * 1.6)
    }

    @inline(__always) func opacity(gx: Int, gy: Int, grid: CoarseGrid, shade: [Float]) -> Float {
        let o: Float
        switch self {
        case .none: return 0
        case .measured: o = 1 - grid.sample(shade, gx, gy)
        case let .synthetic(cx, cy, rx, ry, peak):
            let dx = (Float(gx) + 0.5 - cx) / rx, dy = (Float(gy) + 0.5 - cy) / ry
            let r2 = dx * dx + dy * dy
            if r2 > 2.6 { return 0 } // below the floor for any opacity ≤ 1
            o = peak * expf(-2.5 * r2)
        }
        return o < ShadowLayer.floor ? 0 : min(o, 1)
    }
}
