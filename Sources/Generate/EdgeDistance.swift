import Foundation

/// How far each pixel of a placed product lies inside its outline, in pixels (chamfer 1/√2): 0 outside
/// (alpha below half), 1 on the outermost ring. Light wrap reaches only the first rings; the fidelity
/// measure skips them, so the two never meet.
enum EdgeDistance {
    static func map(_ product: PlacedProduct) -> [Float] {
        let w = product.pixels.width, h = product.pixels.height
        let far = Float(w + h)
        var d = [Float](repeating: 0, count: w * h)
        product.pixels.data.withUnsafeBufferPointer { px in
            for i in 0..<(w * h) where px[i * 4 + 3] >= 128 { d[i] = far }
        }
        let diagonal: Float = 1.4142135
        d.withUnsafeMutableBufferPointer { d in
            // Pixels beyond the buffer count as outside, so a product cut by the buffer still has an edge.
            @inline(__always) func at(_ x: Int, _ y: Int) -> Float { x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x] }
            for y in 0..<h { for x in 0..<w where d[y * w + x] > 0 {
                d[y * w + x] = min(d[y * w + x], at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + diagonal, at(x + 1, y - 1) + diagonal)
            } }
            for y in stride(from: h - 1, through: 0, by: -1) { for x in stride(from: w - 1, through: 0, by: -1) where d[y * w + x] > 0 {
                d[y * w + x] = min(d[y * w + x], at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + diagonal, at(x - 1, y + 1) + diagonal)
            } }
        }
        return d
    }
}
