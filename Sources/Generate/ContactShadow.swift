import Foundation

/// The dark where the product meets the floor: a soft ellipse under the footprint, as wide as the
/// product's lowest `footprintShare` of height and a little more, reaching `depth` of the height below
/// the base. Its upper half darkens the floor beside a base that curves up (a duck, a bowl), which
/// the lowest rows alone would leave bright: a product seen standing, not floating.
struct ContactShadow {
    var centreX: Float, centreY: Float, radiusX: Float, radiusY: Float, opacity: Float

    /// The footprint: opaque columns in this share of the product's height above the base.
    static let footprintShare = 0.1
    /// Below the base the shadow reaches this share of the product's height; beyond the footprint's
    /// ends, `overhang` of it.
    static let depth = 0.05
    static let overhang = 0.04
    /// Full opacity out to this share of the radius, then a smooth fall to nothing at the rim.
    static let core: Float = 0.25

    init?(_ product: PlacedProduct, baseY: Double, height: Double, opacity: Double) {
        guard opacity > 0 else { return nil }
        let rows = max(2, Int((height * ContactShadow.footprintShare).rounded()))
        var lo = Int.max, hi = Int.min
        let base = Int(baseY.rounded())
        for y in (base - rows)..<base { for x in product.x..<(product.x + product.pixels.width) where product.alpha(x, y) >= 128 {
            lo = min(lo, x); hi = max(hi, x)
        } }
        guard hi >= lo else { return nil }
        centreX = Float(lo + hi + 1) / 2; centreY = Float(baseY)
        radiusX = Float(hi - lo + 1) / 2 + Float(max(2, height * ContactShadow.overhang))
        radiusY = Float(max(2, height * ContactShadow.depth))
        self.opacity = Float(opacity)
    }

    @inline(__always) func value(_ x: Int, _ y: Int) -> Float {
        let dx = (Float(x) + 0.5 - centreX) / radiusX, dy = (Float(y) + 0.5 - centreY) / radiusY
        let r = (dx * dx + dy * dy).squareRoot()
        if r >= 1 { return 0 }
        if r <= ContactShadow.core { return opacity }
        let t = (r - ContactShadow.core) / (1 - ContactShadow.core)
        return opacity * (1 - t * t * (3 - 2 * t))
    }

    var bounds: (x0: Int, y0: Int, x1: Int, y1: Int) {
        (Int((centreX - radiusX).rounded(.down)), Int((centreY - radiusY).rounded(.down)),
         Int((centreX + radiusX).rounded(.up)), Int((centreY + radiusY).rounded(.up)))
    }
}
