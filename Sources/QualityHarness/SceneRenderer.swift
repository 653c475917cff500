import Foundation
import Imaging

/// Renders a scene in linear light the way a camera would see it, and keeps the truth:
/// the product's coverage (alpha), its colour as it should come out, and where its shadow is.
public struct RenderedScene {
    public var frame: PixelBuffer        // sRGB, 3 bands, before JPEG
    public var alpha: [Float]            // true coverage, 0–1
    public var truth: [SIMD3<Float>]     // linear colour the product should have after normalisation
    public var shadow: [Float]           // darkening of the backdrop, 0 = none
    public var specular: [Bool]          // highlight pixels, left out of colour checks
}

public enum SceneRenderer {
    public static func render(_ s: Scene) -> RenderedScene {
        let w = s.width, h = s.height, n = w * h
        var rng = SeededRandom(seed: s.seed)
        func lin(_ v: Double) -> Float { Float(Colour.decode(v / 255)) }
        let bd = SIMD3(lin(s.backdrop[0]), lin(s.backdrop[1]), lin(s.backdrop[2]))
        let pt = SIMD3(lin(s.product[0]), lin(s.product[1]), lin(s.product[2]))
        let g = Illuminant.gains(kelvin: s.kelvin)
        let light = SIMD3(Float(g[0]), Float(g[1]), Float(g[2])) * Float(pow(2, s.ev))

        let geometry = ProductGeometry(scene: s)
        var alpha = [Float](repeating: 0, count: n)
        var truth = [SIMD3<Float>](repeating: .zero, count: n)
        var shadow = [Float](repeating: 0, count: n)
        var specular = [Bool](repeating: false, count: n)
        var frame = PixelBuffer(width: w, height: h, bands: 3)

        // Dust specks on the sweep, away from the product.
        var specks: [(Double, Double, Double)] = []
        while specks.count < s.dust {
            let x = rng.uniform(0.03, 0.97) * Double(w), y = rng.uniform(0.03, 0.97) * Double(h)
            if geometry.distance(x, y) > 40 { specks.append((x, y, rng.uniform(1.2, 2.6))) }
        }
        let box = geometry.bounds
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let u = px / Double(w) - 0.5, v = py / Double(h) - 0.5
                let field = Float((1 - s.falloff * (u * u + v * v) / 0.5) * (1 - s.gradient * (v + 0.5)))
                // Contact shadow under the base.
                let sx = (px - (box.minX + box.maxX) / 2) / ((box.maxX - box.minX) * 0.6)
                let sy = (py - box.maxY) / max(8, (box.maxY - box.minY) * 0.05)
                let sd = Float(s.shadowDepth * exp(-(sx * sx + sy * sy) * 1.5))
                shadow[i] = sd
                var back = bd * (1 - sd)
                for (dx, dy, r) in specks where abs(px - dx) < r + 1 && abs(py - dy) < r + 1 {
                    let cover = Float(min(max(r + 0.5 - ((px - dx) * (px - dx) + (py - dy) * (py - dy)).squareRoot(), 0), 1))
                    back = back * (1 - 0.65 * cover)
                }
                let a = Float(min(max(0.5 - geometry.distance(px, py), 0), 1))
                alpha[i] = a
                var colour = back
                if a > 0 {
                    let nx = Float((px - (box.minX + box.maxX) / 2) / ((box.maxX - box.minX) / 2))
                    let shade = 1 - 0.12 * nx
                    let surface = pt * shade
                    truth[i] = surface
                    var seen = surface * bd
                    switch s.kind {
                    case .opaque, .whiteOnWhite: break
                    case .transparent:
                        // Clear glass: the sweep shows through, slightly tinted; the rim is dark.
                        let rim = Float(min(max((-geometry.distance(px, py)) / 6, 0), 1))
                        seen = back * 0.92 * rim + surface * bd * 0.5 * (1 - rim)
                    case .reflective:
                        // A glossy streak that blows out, and the sweep mirrored beside it.
                        if abs(nx + 0.35) < 0.08 { seen = SIMD3(repeating: 1.2) / light; specular[i] = true }
                        else if abs(nx - 0.45) < 0.12 { seen = bd * 0.97; specular[i] = true }
                    }
                    colour = seen * a + back * (1 - a)
                }
                let lit = colour * light * field
                for c in 0..<3 {
                    let e = Double(SRGB8.encode(lit[c])) * 255 + s.noise * rng.gaussian()
                    frame.data[i * 3 + c] = UInt8(min(max(e.rounded(), 0), 255))
                }
            }
        }
        return RenderedScene(frame: frame, alpha: alpha, truth: truth, shadow: shadow, specular: specular)
    }
}

/// The sRGB curve (`Colour` in Imaging) in the renderer's and the metrics' units.
public enum SRGB8 {
    public static func encode(_ l: Float) -> Float { Float(Colour.encode(Double(l))) }
    public static func decode(_ v: UInt8) -> Float { Float(Colour.decode(Double(v) / 255)) }
}
