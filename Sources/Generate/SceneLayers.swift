import Foundation
import Imaging

/// One pass over the part of the output the product touches, bottom layer first:
/// plate → cast and contact shadow (darken the plate's sRGB levels) → floor reflection → product (adjusted by the
/// recorded tables) with light wrap on its outermost ring → occluder (the plate again, in front).
/// Mixing happens in linear light. A solid product pixel away from the edge and the occluder is its
/// table value exactly: the product's pixels are not resampled, blurred or mixed a second time.
struct SceneLayers {
    var plate: PixelBuffer
    var product: PlacedProduct
    var tables: [[UInt8]]
    var cast: CoarseMap?
    var contact: ContactShadow?
    var occluder: PixelBuffer?
    var baseY: Double
    var height: Double
    var reflection: Double
    var lightWrap: Float
    var lightWrapWidth: Float
    /// `EdgeDistance.map(product)`, made once per variant: fidelity reads it too.
    var distance: [Float]

    /// The reflection fades out over this share of the product's height below the base.
    static let reflectionDepth = 0.35
    /// A shadow this faint changes no byte.
    static let negligible: Float = 0.002

    /// A shadow's opacity is its darkening as seen: the plate's sRGB levels fall by that share, as a
    /// sidecar's author reads `shadow_opacity = 0.55`. Taken as a share of linear light, 0.55 darkened
    /// the floor's level by only 30% and the shadow did not read. So the plate is shaded in sRGB and
    /// then taken to linear light: this is a fractional level (0–255) read off the byte table.
    @inline(__always) static func linear(_ level: Float) -> Float {
        let table = LinearLight.toLinear
        let i = min(254, max(0, Int(level))), t = min(1, max(0, level - Float(i)))
        return table[i] * (1 - t) + table[i + 1] * t
    }
    /// Light wrap's colour: the plate averaged over cells this many output pixels wide, then blurred.
    static let wrapCell = 8

    mutating func render() -> PixelBuffer {
        var out = plate
        let w = plate.width, h = plate.height, pb = plate.bands
        let pw = product.pixels.width
        let distance = self.distance
        let wrapLight = lightWrap > 0 ? plateLight() : nil
        let region = touched(width: w, height: h)
        let toLinear = LinearLight.toLinear
        let lut = tables[0] + tables[1] + tables[2]
        let base = Int(baseY.rounded())
        let reflectionRows = reflection > 0 ? Int(height * SceneLayers.reflectionDepth) : 0
        let castMap = cast, contactShadow = contact, occluderPixels = occluder
        let wrap = lightWrap, wrapWidth = lightWrapWidth, strength = Float(reflection)
        let px0 = product.x, py0 = product.y, ph = product.pixels.height

        plate.data.withUnsafeBufferPointer { src in
        product.pixels.data.withUnsafeBufferPointer { prod in
        lut.withUnsafeBufferPointer { lut in
        out.data.withUnsafeMutableBufferPointer { dst in
            for y in region.y0..<region.y1 {
                for x in region.x0..<region.x1 {
                    let o = (y * w + x) * pb
                    // The product at this pixel, if any.
                    let qx = x - px0, qy = y - py0
                    let inProduct = qx >= 0 && qy >= 0 && qx < pw && qy < ph
                    let q = inProduct ? (qy * pw + qx) * 4 : 0
                    let pa = inProduct ? prod[q + 3] : 0
                    let d: Float = inProduct ? distance[qy * pw + qx] : 0
                    let occ = occluderPixels.map { $0.data[y * w + x] } ?? 0
                    let wrapShare: Float = (inProduct && pa > 0 && wrap > 0 && d < wrapWidth) ? wrap * (1 - d / wrapWidth) : 0
                    if pa == 255 && wrapShare == 0 && occ == 0 {
                        dst[o] = lut[Int(prod[q])]; dst[o + 1] = lut[256 + Int(prod[q + 1])]; dst[o + 2] = lut[512 + Int(prod[q + 2])]
                        continue
                    }
                    var shade: Float = 1
                    if let m = castMap { let v = m.value(x, y); if v > SceneLayers.negligible { shade *= 1 - min(1, v) } }
                    if let s = contactShadow { let v = s.value(x, y); if v > SceneLayers.negligible { shade *= 1 - min(1, v) } }
                    let mirrored = reflectionRows > 0 && y >= base && y < base + reflectionRows
                    // Nothing over the plate here: it stays as it is.
                    if pa == 0 && shade == 1 && !mirrored { continue }
                    let bg = SIMD3<Float>(toLinear[Int(src[o])], toLinear[Int(src[o + 1])], toLinear[Int(src[o + 2])])
                    var c = shade == 1 ? bg
                        : SIMD3<Float>(SceneLayers.linear(Float(src[o]) * shade), SceneLayers.linear(Float(src[o + 1]) * shade),
                                       SceneLayers.linear(Float(src[o + 2]) * shade))
                    if mirrored {
                        let my = 2 * base - y - 1 - py0
                        if qx >= 0 && qx < pw && my >= 0 && my < ph {
                            let m = (my * pw + qx) * 4
                            let fall = 1 - Float(y - base) / Float(reflectionRows)
                            let ra = strength * Float(prod[m + 3]) / 255 * fall * fall
                            if ra > 0 {
                                let rc = SIMD3<Float>(toLinear[Int(lut[Int(prod[m])])], toLinear[Int(lut[256 + Int(prod[m + 1])])],
                                                      toLinear[Int(lut[512 + Int(prod[m + 2])])])
                                c = c * (1 - ra) + rc * ra
                            }
                        }
                    }
                    if pa > 0 {
                        var pc = SIMD3<Float>(toLinear[Int(lut[Int(prod[q])])], toLinear[Int(lut[256 + Int(prod[q + 1])])],
                                              toLinear[Int(lut[512 + Int(prod[q + 2])])])
                        if wrapShare > 0, let light = wrapLight {
                            let l = SIMD3<Float>(light[0].value(x, y, outside: bg.x), light[1].value(x, y, outside: bg.y), light[2].value(x, y, outside: bg.z))
                            pc = pc * (1 - wrapShare) + l * wrapShare
                        }
                        let a = Float(pa) / 255
                        c = c * (1 - a) + pc * a
                    }
                    if occ > 0 {
                        let k = Float(occ) / 255
                        c = c * (1 - k) + bg * k
                    }
                    dst[o] = LinearLight.byte(c.x); dst[o + 1] = LinearLight.byte(c.y); dst[o + 2] = LinearLight.byte(c.z)
                }
            }
        }
        }
        }
        }
        return out
    }

    /// The output rectangle any layer reaches: product, shadows and reflection.
    func touched(width: Int, height: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        var r = (x0: product.x, y0: product.y, x1: product.x + product.pixels.width, y1: product.y + product.pixels.height)
        func add(_ b: (x0: Int, y0: Int, x1: Int, y1: Int)) { r = (min(r.x0, b.x0), min(r.y0, b.y0), max(r.x1, b.x1), max(r.y1, b.y1)) }
        if let c = cast { add(c.bounds) }
        if let c = contact { add(c.bounds) }
        if reflection > 0 { add((r.x0, r.y0, r.x1, Int(baseY) + Int(self.height * SceneLayers.reflectionDepth) + 1)) }
        return (max(0, r.x0), max(0, r.y0), min(width, r.x1), min(height, r.y1))
    }

    /// The plate's light around the product, per channel in linear light: cell means, blurred over a few cells.
    func plateLight() -> [CoarseMap]? {
        let step = SceneLayers.wrapCell
        let x0 = max(0, product.x - 4 * step), y0 = max(0, product.y - 4 * step)
        let x1 = min(plate.width, product.x + product.pixels.width + 4 * step)
        let y1 = min(plate.height, product.y + product.pixels.height + 4 * step)
        guard x1 > x0, y1 > y0 else { return nil }
        let cw = (x1 - x0 + step - 1) / step, ch = (y1 - y0 + step - 1) / step
        var sums = [[Float]](repeating: [Float](repeating: 0, count: cw * ch), count: 3)
        var counts = [Float](repeating: 0, count: cw * ch)
        let toLinear = LinearLight.toLinear
        for y in y0..<y1 { for x in x0..<x1 {
            let cell = ((y - y0) / step) * cw + (x - x0) / step, i = (y * plate.width + x) * plate.bands
            for c in 0..<3 { sums[c][cell] += toLinear[Int(plate.data[i + c])] }
            counts[cell] += 1
        } }
        return (0..<3).map { c in
            let means = zip(sums[c], counts).map { $1 > 0 ? $0 / $1 : 0 }
            return CoarseMap(x0: x0, y0: y0, step: step, width: cw, height: ch,
                             values: Blur.gaussian(means, width: cw, height: ch, sigma: 1.5))
        }
    }
}
