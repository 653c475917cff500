import Imaging

/// How sharp the product's outline is: the variance of the Laplacian of its alpha over the
/// outline pixels (every pixel that is partly product, or next to one, or on either side of a
/// step across half coverage). A focused edge steps within a pixel or two and gives large values
/// (thousands); a blurred one ramps over many pixels with a small, even curvature (tens). The
/// alpha is the same 0–255 step for every product, so the value does not depend on its colour
/// or texture, only on the edge.
enum OutlineSharpness {
    static func measure(mask: PixelBuffer, box: (x: Int, y: Int, w: Int, h: Int)) -> Double {
        let w = mask.width, h = mask.height
        guard box.w > 0, box.h > 0, w >= 3, h >= 3 else { return 0 }
        let x0 = max(1, box.x - 2), y0 = max(1, box.y - 2)
        let x1 = min(w - 2, box.x + box.w + 1), y1 = min(h - 2, box.y + box.h + 1)
        guard x0 <= x1, y0 <= y1 else { return 0 }
        var sum = 0.0, sumSq = 0.0, count = 0.0
        mask.data.withUnsafeBufferPointer { m in
            @inline(__always) func partial(_ i: Int) -> Bool { m[i] != 0 && m[i] != 255 }
            for y in y0...y1 {
                for x in x0...x1 {
                    let i = y * w + x
                    let c = Int(m[i]), l = Int(m[i - 1]), r = Int(m[i + 1]), u = Int(m[i - w]), d = Int(m[i + w])
                    let side = c >= 128
                    let onOutline = partial(i) || partial(i - 1) || partial(i + 1) || partial(i - w) || partial(i + w)
                        || (l >= 128) != side || (r >= 128) != side || (u >= 128) != side || (d >= 128) != side
                    guard onOutline else { continue }
                    let lap = Double(4 * c - l - r - u - d)
                    sum += lap; sumSq += lap * lap; count += 1
                }
            }
        }
        guard count > 0 else { return 0 }
        let mean = sum / count
        return max(0, sumSq / count - mean * mean)
    }
}
