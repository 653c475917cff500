import Foundation
import Generate
import Imaging

/// One way a generator could hand back a redrawn product: its geometry relative to where it was
/// placed (about the product's centre) and what happened to its colour.
struct RedrawnCase {
    var name: String
    /// A faithful generator could return this; an altered one must be held.
    var faithful: Bool
    var scaleX = 1.0, scaleY = 1.0, shear = 0.0
    /// Moved by this share of the product's width and height.
    var shift = (0.0, 0.0)
    /// Linear-light gains per channel.
    var gains = [1.0, 1.0, 1.0]
    /// Hue turned by this many degrees, saturation scaled (on the sRGB-coded values, YIQ).
    var hueDegrees = 0.0, saturation = 1.0

    static let all: [RedrawnCase] = [
        RedrawnCase(name: "as-placed", faithful: true),
        RedrawnCase(name: "moved-smaller", faithful: true, scaleX: 0.95, scaleY: 0.95, shift: (0.04, 0.03)),
        RedrawnCase(name: "larger-tilted", faithful: true, scaleX: 1.04, scaleY: 1.04, shear: 0.03, shift: (-0.03, 0.02)),
        RedrawnCase(name: "darker-warmer", faithful: true, gains: [0.92, 0.86, 0.78]),
        RedrawnCase(name: "lighter-cooler", faithful: true, gains: [1.08, 1.12, 1.2]),
        RedrawnCase(name: "hue+25", faithful: false, hueDegrees: 25),
        RedrawnCase(name: "hue-60", faithful: false, hueDegrees: -60),
        RedrawnCase(name: "washed-out", faithful: false, saturation: 0.45),
        RedrawnCase(name: "one-stop-darker", faithful: false, gains: [0.5, 0.5, 0.5]),
        RedrawnCase(name: "scaled-0.8", faithful: false, scaleX: 0.8, scaleY: 0.8),
        RedrawnCase(name: "scaled-1.25", faithful: false, scaleX: 1.25, scaleY: 1.25),
        RedrawnCase(name: "stretched-1.3x", faithful: false, scaleX: 1.3),
        RedrawnCase(name: "squashed-0.75y", faithful: false, scaleY: 0.75),
    ]

    /// The placed product transformed by the case and drawn over the background (bilinear, straight alpha).
    static func render(_ placed: PlacedProduct, _ c: RedrawnCase, over background: PixelBuffer) -> PixelBuffer {
        var out = background
        let src = placed.pixels, w = src.width, h = src.height
        let cx = Double(w) / 2, cy = Double(h) / 2
        let dx = c.shift.0 * Double(w), dy = c.shift.1 * Double(h)
        let reach = max(c.scaleX, c.scaleY, 1) + abs(c.shear)
        let ox0 = max(0, placed.x + Int(cx + dx - reach * cx) - 2), ox1 = min(out.width, placed.x + Int(cx + dx + reach * cx) + 2)
        let oy0 = max(0, placed.y + Int(cy + dy - reach * cy) - 2), oy1 = min(out.height, placed.y + Int(cy + dy + reach * cy) + 2)
        let colour = colourMap(c)
        for oy in oy0..<oy1 { for ox in ox0..<ox1 {
            // Inverse of: x' = sx·(x − cx) + shear·(y − cy) + cx + dx, y' = sy·(y − cy) + cy + dy.
            let v = (Double(oy - placed.y) + 0.5 - cy - dy) / c.scaleY
            let u = (Double(ox - placed.x) + 0.5 - cx - dx - c.shear * v) / c.scaleX
            let sx = u + cx - 0.5, sy = v + cy - 0.5
            guard sx > -1, sy > -1, sx < Double(w), sy < Double(h) else { continue }
            let px = sample(src, sx, sy)
            let a = px[3] / 255
            guard a > 0 else { continue }
            let rgb = colour([px[0] / max(a, 1e-6), px[1] / max(a, 1e-6), px[2] / max(a, 1e-6)])
            let o = (oy * out.width + ox) * out.bands
            for k in 0..<3 {
                let v = rgb[k] * a + Double(out.data[o + k]) * (1 - a)
                out.data[o + k] = UInt8(max(0, min(255, v.rounded())))
            }
        } }
        return out
    }

    /// Premultiplied bilinear sample (RGB × alpha, alpha), pixels outside transparent.
    static func sample(_ p: PixelBuffer, _ x: Double, _ y: Double) -> [Double] {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down)), fx = x - Double(x0), fy = y - Double(y0)
        var out = [0.0, 0.0, 0.0, 0.0]
        for (xx, yy, wt) in [(x0, y0, (1 - fx) * (1 - fy)), (x0 + 1, y0, fx * (1 - fy)), (x0, y0 + 1, (1 - fx) * fy), (x0 + 1, y0 + 1, fx * fy)] {
            guard xx >= 0, yy >= 0, xx < p.width, yy < p.height, wt > 0 else { continue }
            let i = (yy * p.width + xx) * 4, a = Double(p.data[i + 3])
            for k in 0..<3 { out[k] += wt * Double(p.data[i + k]) * a / 255 }
            out[3] += wt * a
        }
        return out
    }

    /// sRGB-coded (0–255) in, sRGB-coded out.
    static func colourMap(_ c: RedrawnCase) -> ([Double]) -> [Double] {
        let turn = c.hueDegrees * .pi / 180, cosT = cos(turn) * c.saturation, sinT = sin(turn) * c.saturation
        return { rgb in
            var v = (0..<3).map { Colour.encode(Colour.decode(rgb[$0] / 255) * c.gains[$0]) }
            if c.hueDegrees != 0 || c.saturation != 1 {
                let y = 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2]
                let i = 0.596 * v[0] - 0.274 * v[1] - 0.322 * v[2], q = 0.211 * v[0] - 0.523 * v[1] + 0.312 * v[2]
                let i2 = i * cosT - q * sinT, q2 = i * sinT + q * cosT
                v = [y + 0.956 * i2 + 0.621 * q2, y - 0.272 * i2 - 0.647 * q2, y - 1.106 * i2 + 1.703 * q2]
            }
            return v.map { max(0, min(1, $0)) * 255 }
        }
    }
}
