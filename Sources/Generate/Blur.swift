import Foundation

/// A separable Gaussian over a small float grid (shadow and light maps, a few hundred cells a side):
/// plain Swift, so the same input gives the same output on any machine and thread count.
enum Blur {
    static func gaussian(_ v: [Float], width w: Int, height h: Int, sigma: Float) -> [Float] {
        guard sigma > 0.3 else { return v }
        let r = Int((sigma * 3).rounded(.up))
        var kernel = (-r...r).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        var tmp = [Float](repeating: 0, count: w * h), out = tmp
        // Cells beyond the grid repeat the edge cell. Where no tap falls off the grid, each cell's sum is
        // built tap by tap across the whole row (the same additions in the same order), which vectorises.
        kernel.withUnsafeBufferPointer { kern in
        v.withUnsafeBufferPointer { v in
        tmp.withUnsafeMutableBufferPointer { tmp in
        out.withUnsafeMutableBufferPointer { out in
            let inner = r..<max(r, w - r)
            for y in 0..<h {
                let row = y * w
                for x in 0..<w where !inner.contains(x) {
                    var s: Float = 0
                    for k in -r...r { s += kern[k + r] * v[row + min(w - 1, max(0, x + k))] }
                    tmp[row + x] = s
                }
                guard !inner.isEmpty else { continue }
                let dst = tmp.baseAddress! + row
                for k in 0...(2 * r) {
                    let weight = kern[k], src = v.baseAddress! + row - r + k
                    for x in inner { dst[x] += weight * Float(src[x]) }
                }
            }
            for y in 0..<h {
                let row = y * w
                guard y >= r && y + r < h else {
                    for x in 0..<w {
                        var s: Float = 0
                        for k in -r...r { s += kern[k + r] * tmp[min(h - 1, max(0, y + k)) * w + x] }
                        out[row + x] = s
                    }
                    continue
                }
                let dst = out.baseAddress! + row
                for k in 0...(2 * r) {
                    let weight = kern[k], src = tmp.baseAddress! + (y - r + k) * w
                    for x in 0..<w { dst[x] += weight * src[x] }
                }
            }
        }
        }
        }
        }
        return out
    }
}

/// A coarse map over part of the output: one value per `step`×`step` cell, read back bilinearly.
struct CoarseMap {
    var x0: Int, y0: Int, step: Int, width: Int, height: Int
    var values: [Float]

    /// The value at an output pixel's centre; `outside` beyond the map.
    @inline(__always) func value(_ x: Int, _ y: Int, outside: Float = 0) -> Float {
        let fx = (Float(x - x0) + 0.5) / Float(step) - 0.5, fy = (Float(y - y0) + 0.5) / Float(step) - 0.5
        guard fx > -1, fy > -1, fx < Float(width), fy < Float(height) else { return outside }
        let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
        let tx = fx - Float(ix), ty = fy - Float(iy)
        @inline(__always) func cell(_ cx: Int, _ cy: Int) -> Float { values[min(height - 1, max(0, cy)) * width + min(width - 1, max(0, cx))] }
        let top = cell(ix, iy) * (1 - tx) + cell(ix + 1, iy) * tx
        let bottom = cell(ix, iy + 1) * (1 - tx) + cell(ix + 1, iy + 1) * tx
        return top * (1 - ty) + bottom * ty
    }

    /// Output rows and columns the map covers: x0, y0, x1, y1 (exclusive).
    var bounds: (x0: Int, y0: Int, x1: Int, y1: Int) { (x0, y0, x0 + width * step, y0 + height * step) }
}
