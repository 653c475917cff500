import Foundation
import Imaging

/// Islands of the mask detached from the product and far smaller than it. Retouch's full-size edge
/// matting can keep a few pixels of the shot's dark floor shadow a few pixels outside the outline
/// as product (a rubber duck's master held 28 islands of 4–10 px, mean level ~17): drawn, each is a
/// dark dot beside the edge. A part at least `share` of the largest (the other earring) is product.
enum MaskSpecks {
    static let share = 0.001

    /// The mask (one band) with its specks cleared, in memory (so it is not decoded a second time).
    static func cleared(_ mask: Image) throws -> Image {
        var p = try mask.pixels()
        removeSpecks(&p)
        return try Image(p)
    }

    /// Clears islands (8-connected, alpha > 0) under `share` of the largest; returns the pixels cleared.
    /// Works on runs of each row joined with the runs above them (union-find), not pixel by pixel:
    /// a master's mask is millions of pixels but only thousands of runs.
    @discardableResult
    static func removeSpecks(_ p: inout PixelBuffer) -> Int {
        let w = p.width, h = p.height, bands = p.bands
        var runs: [(y: Int, x0: Int, x1: Int)] = []      // x1 exclusive
        var rowStart = [Int](repeating: 0, count: h + 1)
        p.data.withUnsafeBufferPointer { d in
            for y in 0..<h {
                rowStart[y] = runs.count
                var x = 0
                let row = y * w
                while x < w {
                    while x < w && d[(row + x) * bands] == 0 { x += 1 }
                    guard x < w else { break }
                    let x0 = x
                    while x < w && d[(row + x) * bands] > 0 { x += 1 }
                    runs.append((y, x0, x))
                }
            }
            rowStart[h] = runs.count
        }
        guard runs.count > 1 else { return 0 }
        var parent = Array(0..<runs.count)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for y in 1..<max(1, h) {
            var above = rowStart[y - 1]
            for r in rowStart[y]..<rowStart[y + 1] {
                // Runs of the row above that touch this one, diagonals included.
                while above < rowStart[y] && runs[above].x1 < runs[r].x0 { above += 1 }
                var a = above
                while a < rowStart[y] && runs[a].x0 <= runs[r].x1 {
                    let (ra, rr) = (root(a), root(r))
                    if ra != rr { parent[max(ra, rr)] = min(ra, rr) }
                    a += 1
                }
            }
        }
        var size = [Int](repeating: 0, count: runs.count)
        for i in runs.indices { size[root(i)] += runs[i].x1 - runs[i].x0 }
        guard let largest = size.max() else { return 0 }
        let minimum = Double(largest) * share
        var cleared = 0
        for i in runs.indices where Double(size[root(i)]) < minimum {
            let r = runs[i]
            for x in r.x0..<r.x1 { for b in 0..<bands { p.data[(r.y * w + x) * bands + b] = 0 } }
            cleared += r.x1 - r.x0
        }
        return cleared
    }
}
