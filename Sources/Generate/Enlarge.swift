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
                for y in 0..<ih {
                    let sRow = y * iw * bands, rRow = y * ow * bands
                    for x in 0..<ow {
                        for b in 0..<bands {
                            var v: Float = 0
                            for k in 0..<4 { v += xWeight[x * 4 + k] * Float(s[sRow + xIndex[x * 4 + k] * bands + b]) }
                            r[rRow + x * bands + b] = v
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
                for y in 0..<oh {
                    let i0 = yIndex[y * 4] * rowLength, i1 = yIndex[y * 4 + 1] * rowLength
                    let i2 = yIndex[y * 4 + 2] * rowLength, i3 = yIndex[y * 4 + 3] * rowLength
                    let w0 = yWeight[y * 4], w1 = yWeight[y * 4 + 1], w2 = yWeight[y * 4 + 2], w3 = yWeight[y * 4 + 3]
                    let oRow = y * rowLength
                    for i in 0..<rowLength {
                        let v = w0 * r[i0 + i] + w1 * r[i1 + i] + w2 * r[i2 + i] + w3 * r[i3 + i]
                        o[oRow + i] = UInt8(min(max(v + 0.5, 0), 255))
                    }
                }
            }
        }
        return out
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
