/// Reads a coarse map at full-size positions: bilinear for smooth maps, nearest-cell tables for labels.
struct CoarseGrid {
    let coarseWidth: Int, coarseHeight: Int
    /// Size of the whole frame at the fine (master) scale.
    let fineWidth: Int, fineHeight: Int
    let sx: Float, sy: Float

    init(coarseWidth: Int, coarseHeight: Int, fineWidth: Int, fineHeight: Int) {
        self.coarseWidth = coarseWidth; self.coarseHeight = coarseHeight
        self.fineWidth = fineWidth; self.fineHeight = fineHeight
        sx = Float(coarseWidth) / Float(fineWidth); sy = Float(coarseHeight) / Float(fineHeight)
    }

    @inline(__always) func coarse(_ gx: Int, _ gy: Int) -> (Float, Float) {
        ((Float(gx) + 0.5) * sx - 0.5, (Float(gy) + 0.5) * sy - 0.5)
    }
    @inline(__always) func weights(_ gx: Int, _ gy: Int) -> (i00: Int, i10: Int, i01: Int, i11: Int, fx: Float, fy: Float) {
        let (cx, cy) = coarse(gx, gy)
        let x0 = min(max(Int(cx.rounded(.down)), 0), coarseWidth - 1), y0 = min(max(Int(cy.rounded(.down)), 0), coarseHeight - 1)
        let x1 = min(x0 + 1, coarseWidth - 1), y1 = min(y0 + 1, coarseHeight - 1)
        let fx = min(max(cx - Float(x0), 0), 1), fy = min(max(cy - Float(y0), 0), 1)
        return (y0 * coarseWidth + x0, y0 * coarseWidth + x1, y1 * coarseWidth + x0, y1 * coarseWidth + x1, fx, fy)
    }
    @inline(__always) func sample(_ map: [SIMD3<Float>], _ gx: Int, _ gy: Int) -> SIMD3<Float> {
        let w = weights(gx, gy)
        let top = map[w.i00] + (map[w.i10] - map[w.i00]) * w.fx
        let bottom = map[w.i01] + (map[w.i11] - map[w.i01]) * w.fx
        return top + (bottom - top) * w.fy
    }
    @inline(__always) func sample(_ map: [Float], _ gx: Int, _ gy: Int) -> Float {
        let w = weights(gx, gy)
        let top = map[w.i00] + (map[w.i10] - map[w.i00]) * w.fx
        let bottom = map[w.i01] + (map[w.i11] - map[w.i01]) * w.fx
        return top + (bottom - top) * w.fy
    }

    /// Nearest coarse column (or row) for each of `count` fine positions from `origin`: the
    /// per-pixel lookups of a whole crop become two table reads.
    func nearestColumns(origin: Int, count: Int) -> [Int] {
        (0..<count).map { min(max(Int((Float(origin + $0) + 0.5) * sx - 0.5 + 0.5), 0), coarseWidth - 1) }
    }
    func nearestRows(origin: Int, count: Int) -> [Int] {
        (0..<count).map { min(max(Int((Float(origin + $0) + 0.5) * sy - 0.5 + 0.5), 0), coarseHeight - 1) }
    }
}
