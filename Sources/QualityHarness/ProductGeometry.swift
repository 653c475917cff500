import Foundation

/// Product outlines as signed distance functions in pixels (negative inside), so coverage at
/// the edge is exact to a pixel's width and thin parts and holes come out as drawn.
struct ProductGeometry {
    let shape: Scene.Shape
    let cx: Double, base: Double, ph: Double
    let bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)

    init(scene s: Scene) {
        shape = s.shape
        ph = s.scale * Double(s.height)
        cx = s.centreX * Double(s.width)
        base = 0.86 * Double(s.height)
        let half: Double
        switch s.shape {
        case .bottle: half = 0.2
        case .box: half = 0.35
        case .mug: half = 0.5
        case .chair: half = 0.32
        case .bag: half = 0.35
        case .ring: half = 0.47
        }
        bounds = (cx - half * ph, base - ph, cx + half * ph, base)
    }

    func distance(_ x: Double, _ y: Double) -> Double {
        switch shape {
        case .bottle:
            let body = ellipse(x, y, cx, base - 0.38 * ph, 0.2 * ph, 0.38 * ph)
            let neck = roundBox(x, y, cx, base - 0.85 * ph, 0.06 * ph, 0.15 * ph, 0.02 * ph)
            return min(body, neck)
        case .box:
            return roundBox(x, y, cx, base - 0.5 * ph, 0.35 * ph, 0.5 * ph, 0.06 * ph)
        case .mug:
            let body = roundBox(x, y, cx - 0.1 * ph, base - 0.4 * ph, 0.3 * ph, 0.4 * ph, 0.04 * ph)
            let handle = annulus(x, y, cx + 0.2 * ph, base - 0.45 * ph, 0.22 * ph, 0.045 * ph)
            return min(body, handle)
        case .chair:
            let legR = max(3, 0.008 * ph)
            var d = roundBox(x, y, cx, base - 0.45 * ph, 0.32 * ph, 0.03 * ph, 0.01 * ph)
            for lx in [-0.29, -0.13, 0.13, 0.29] {
                d = min(d, capsule(x, y, cx + lx * ph, base - 0.45 * ph, cx + lx * 1.05 * ph, base - legR, legR))
            }
            for px in [-0.28, 0.28] { d = min(d, capsule(x, y, cx + px * ph, base - 0.45 * ph, cx + px * ph, base - ph + legR * 2, legR * 1.6)) }
            d = min(d, capsule(x, y, cx - 0.28 * ph, base - ph + legR * 2, cx + 0.28 * ph, base - ph + legR * 2, legR * 2))
            d = min(d, capsule(x, y, cx - 0.28 * ph, base - 0.75 * ph, cx + 0.28 * ph, base - 0.75 * ph, legR * 1.4))
            return d
        case .bag:
            let body = roundBox(x, y, cx, base - 0.3 * ph, 0.35 * ph, 0.3 * ph, 0.05 * ph)
            let strap = max(annulus(x, y, cx, base - 0.6 * ph, 0.25 * ph, 0.02 * ph), y - (base - 0.58 * ph))
            return min(body, strap)
        case .ring:
            return annulus(x, y, cx, base - 0.47 * ph, 0.35 * ph, 0.12 * ph)
        }
    }

    func roundBox(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ hx: Double, _ hy: Double, _ r: Double) -> Double {
        let qx = abs(x - cx) - hx + r, qy = abs(y - cy) - hy + r
        let outside = (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot()
        return outside + min(max(qx, qy), 0) - r
    }
    func ellipse(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ a: Double, _ b: Double) -> Double {
        let k = (((x - cx) / a) * ((x - cx) / a) + ((y - cy) / b) * ((y - cy) / b)).squareRoot()
        return (k - 1) * min(a, b)
    }
    func capsule(_ x: Double, _ y: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ r: Double) -> Double {
        let px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay
        let t = min(max((px * dx + py * dy) / (dx * dx + dy * dy), 0), 1)
        let ex = px - dx * t, ey = py - dy * t
        return (ex * ex + ey * ey).squareRoot() - r
    }
    func annulus(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ r: Double, _ t: Double) -> Double {
        abs(((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot() - r) - t
    }
}
