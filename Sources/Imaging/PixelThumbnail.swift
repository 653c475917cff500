extension PixelBuffer {
    /// A small copy on white: each output pixel the mean of the source pixels it covers (an area
    /// average), alpha composited over white. One pass in Swift: on a 24 MP shot's master it takes
    /// milliseconds where libvips' Lanczos resize took over a hundred.
    public func reducedOnWhite(longSide: Int) -> PixelBuffer {
        let scale = min(1, Double(longSide) / Double(max(width, height, 1)))
        let ow = max(1, Int((Double(width) * scale).rounded())), oh = max(1, Int((Double(height) * scale).rounded()))
        let columns = (0..<width).map { min(ow - 1, $0 * ow / width) }
        var sums = [Float](repeating: 0, count: ow * oh * 3)
        var counts = [Float](repeating: 0, count: ow * oh)
        let hasAlpha = bands == 2 || bands == 4, colour = bands >= 3
        data.withUnsafeBufferPointer { px in
            for y in 0..<height {
                let row = min(oh - 1, y * oh / height) * ow
                for x in 0..<width {
                    let i = (y * width + x) * bands, o = row + columns[x]
                    let a: Float = hasAlpha ? Float(px[i + bands - 1]) / 255 : 1
                    let white = 255 * (1 - a)
                    let r = Float(px[i]), g = colour ? Float(px[i + 1]) : r, b = colour ? Float(px[i + 2]) : r
                    sums[o * 3] += r * a + white; sums[o * 3 + 1] += g * a + white; sums[o * 3 + 2] += b * a + white
                    counts[o] += 1
                }
            }
        }
        var out = PixelBuffer(width: ow, height: oh, bands: 3)
        for o in 0..<(ow * oh) {
            let n = max(counts[o], 1)
            for c in 0..<3 { out.data[o * 3 + c] = UInt8(min(255, (sums[o * 3 + c] / n).rounded())) }
        }
        return out
    }
}
