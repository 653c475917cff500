import Foundation
import Imaging

/// Enlarges an 8-bit image to an exact size with a separable Keys cubic (a = −0.5, Catmull-Rom), in
/// Swift: a plate smaller than the output is enlarged for every variant, and libvips' general affine
/// path took three times as long for the same result.
enum Enlarge {
    static func cubic(_ src: PixelBuffer, width ow: Int, height oh: Int) -> PixelBuffer {
        let bands = src.bands, iw = src.width, ih = src.height
        let (xIndex, xWeight) = taps(from: iw, to: ow), (yIndex, yWeight) = taps(from: ih, to: oh)
        // Horizontal pass: every source row at the output's width.
        var rows = [Float](repeating: 0, count: ih * ow * bands)
        src.data.withUnsafeBufferPointer { s in
        rows.withUnsafeMutableBufferPointer { r in
        xIndex.withUnsafeBufferPointer { xi in
        xWeight.withUnsafeBufferPointer { xw in
            let source = s.baseAddress!, rowsOut = r.baseAddress!
            for y in 0..<ih {
                let src = source + y * iw * bands, dst = rowsOut + y * ow * bands
                for x in 0..<ow {
                    let t = x &* 4
                    let p0 = src + xi[t] &* bands, p1 = src + xi[t &+ 1] &* bands, p2 = src + xi[t &+ 2] &* bands, p3 = src + xi[t &+ 3] &* bands
                    let w0 = xw[t], w1 = xw[t &+ 1], w2 = xw[t &+ 2], w3 = xw[t &+ 3]
                    let d = dst + x &* bands
                    for b in 0..<bands {
                        var v: Float = 0
                        v += w0 * Float(p0[b]); v += w1 * Float(p1[b]); v += w2 * Float(p2[b]); v += w3 * Float(p3[b])
                        d[b] = v
                    }
                }
            }
        }
        }
        }
        }
        // Vertical pass.
        var out = PixelBuffer(width: ow, height: oh, bands: bands)
        let rowLength = ow * bands
        rows.withUnsafeBufferPointer { r in
            out.data.withUnsafeMutableBufferPointer { o in
                // Row pointers, so the inner loop has no index arithmetic to check and vectorises.
                let rows = r.baseAddress!, outRows = o.baseAddress!
                for y in 0..<oh {
                    let r0 = rows + yIndex[y * 4] * rowLength, r1 = rows + yIndex[y * 4 + 1] * rowLength
                    let r2 = rows + yIndex[y * 4 + 2] * rowLength, r3 = rows + yIndex[y * 4 + 3] * rowLength
                    let w0 = yWeight[y * 4], w1 = yWeight[y * 4 + 1], w2 = yWeight[y * 4 + 2], w3 = yWeight[y * 4 + 3]
                    let dst = outRows + y * rowLength
                    for i in 0..<rowLength {
                        let v = w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i]
                        dst[i] = floorByte(min(max(v + 0.5, 0), 255))
                    }
                }
            }
        }
        return out
    }

    /// `UInt8(x)` for 0 ≤ x ≤ 255 (it truncates), without the range checks that keep the loop above
    /// from vectorising: adding 2²³ rounds x to the nearest integer in the low mantissa bits; one less
    /// where that rounded up gives the floor.
    @inline(__always) static func floorByte(_ x: Float) -> UInt8 {
        let magic: Float = 8_388_608
        let nearest = (x + magic) - magic
        let floor = nearest > x ? nearest - 1 : nearest
        return UInt8(truncatingIfNeeded: (floor + magic).bitPattern)
    }

    /// For each output position, the four source positions (clamped at the edges) and their weights;
    /// pixel centres line up: output x samples source (x + ½)·in/out − ½.
    static func taps(from n: Int, to m: Int) -> ([Int], [Float]) {
        var index = [Int](repeating: 0, count: m * 4), weight = [Float](repeating: 0, count: m * 4)
        let ratio = Double(n) / Double(m)
        for x in 0..<m {
            let s = (Double(x) + 0.5) * ratio - 0.5
            let i = Int(s.rounded(.down)), t = s - Double(i)
            let w = [keys(1 + t), keys(t), keys(1 - t), keys(2 - t)]
            for k in 0..<4 {
                index[x * 4 + k] = min(n - 1, max(0, i - 1 + k))
                weight[x * 4 + k] = Float(w[k])
            }
        }
        return (index, weight)
    }

    static func keys(_ x: Double) -> Double {
        let a = -0.5, d = abs(x)
        if d <= 1 { return (a + 2) * d * d * d - (a + 3) * d * d + 1 }
        if d < 2 { return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a }
        return 0
    }
}
