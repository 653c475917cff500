import Foundation
import Imaging
import PipelineCore

/// How far a product a generator redrew (on-model) stayed from the photograph, when pixels cannot
/// be compared one for one.
///
/// Shape: the output's product mask is found by colour: within a window around where the product
/// was placed, the pixels whose colour lies near one of the master's own product colours (its
/// palette, ΔE76 ≤ `paletteDistance`) and nearer to them than to the colours of the window's outer
/// ring (the scene around the product). That mask is aligned with the placed product's mask (the
/// generator may have moved the product a little: their centroids' shift, then the best overlap a few
/// cells around it) and compared by intersection over union. It is an estimate: a scene of the product's own colours still confuses it and lowers the
/// figure, so a doubt holds the variant for a person, never passes it.
///
/// Colour: CIEDE2000 between the master's mean product colour and the output's mean inside the
/// product's silhouette moved by that alignment, over its interior (edges left out).
public enum RedrawnFidelity {
    static let paletteDistance = 12.0
    static let paletteCoverage = 0.95
    static let paletteMaxColours = 24
    /// The window reaches this share of the product's size beyond its box on each side…
    static let windowMargin = 0.5
    /// …and what lies beyond this share is taken as the scene (a product redrawn up to a quarter
    /// larger or moved a little stays inside it).
    static let sceneMargin = 0.3
    /// The grid the masks are compared on has at most this many cells on its long side.
    static let gridLongSide = 200
    /// Shifts tried around the centroids' one, in cells each way.
    static let searchCells = 3

    public static func measure(output: PixelBuffer, product: PlacedProduct) -> RedrawnFigures {
        guard let b = product.opaqueBounds() else { return RedrawnFigures(meanDeltaE: 0, shapeIoU: 0, shift: [0, 0], mask: "palette") }
        let palette = palette(product)
        let mx = Int(Double(b.x1 - b.x0) * windowMargin), my = Int(Double(b.y1 - b.y0) * windowMargin)
        let x0 = max(0, b.x0 - mx), y0 = max(0, b.y0 - my), x1 = min(output.width, b.x1 + mx), y1 = min(output.height, b.y1 + my)
        let step = max(1, max(x1 - x0, y1 - y0) / gridLongSide)
        let scene = scenePalette(output, window: (x0, y0, x1, y1), product: b, step: step)
        var labs: [Int32: Colour.Lab] = [:]
        func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Colour.Lab {
            let key = Int32(r) << 16 | Int32(g) << 8 | Int32(b)
            if let l = labs[key] { return l }
            let l = Colour.lab(srgb: [Double(r), Double(g), Double(b)]); labs[key] = l; return l
        }
        // Both masks on a grid of cells over the window, one sample each.
        let cols = (x1 - x0 + step - 1) / step, rows = (y1 - y0 + step - 1) / step
        var placed = [Bool](repeating: false, count: cols * rows), found = placed
        for j in 0..<rows { for i in 0..<cols {
            let x = x0 + i * step, y = y0 + j * step
            if product.alpha(x, y) >= 128 { placed[j * cols + i] = true }
            let o = (y * output.width + x) * output.bands
            let c = lab(output.data[o], output.data[o + 1], output.data[o + 2])
            let near = nearest(palette, c)
            if near <= paletteDistance && near < nearest(scene, c) { found[j * cols + i] = true }
        } }
        let placedCount = placed.count(where: { $0 }), foundCount = found.count(where: { $0 })
        /// Overlap of the placed mask moved by (gx, gy) cells with the found one.
        func iou(_ gx: Int, _ gy: Int) -> Double {
            // Shifted off the grid (a thin product's few rows): nothing overlaps, and the ranges below would be empty.
            guard abs(gx) < cols, abs(gy) < rows else { return 0 }
            var inter = 0
            for j in max(0, -gy)..<min(rows, rows - gy) { for i in max(0, -gx)..<min(cols, cols - gx) where placed[j * cols + i] {
                if found[(j + gy) * cols + i + gx] { inter += 1 }
            } }
            let union = placedCount + foundCount - inter
            return union == 0 ? 0 : Double(inter) / Double(union)
        }
        func centroid(_ cells: [Bool]) -> (Double, Double) {
            var sx = 0.0, sy = 0.0, n = 0.0
            for j in 0..<rows { for i in 0..<cols where cells[j * cols + i] { sx += Double(i); sy += Double(j); n += 1 } }
            return n == 0 ? (0, 0) : (sx / n, sy / n)
        }
        // The centroids give the shift roughly (stray scene pixels pull the found one); the best
        // overlap near it, or none, is taken.
        let cp = centroid(placed), cf = centroid(found)
        let gx = Int((cf.0 - cp.0).rounded()), gy = Int((cf.1 - cp.1).rounded())
        var best = (iou: iou(0, 0), gx: 0, gy: 0)
        if foundCount > 0 {
            for sy in (gy - searchCells)...(gy + searchCells) { for sx in (gx - searchCells)...(gx + searchCells) {
                let v = iou(sx, sy)
                if v > best.iou { best = (v, sx, sy) }
            } }
        }
        let shift = [best.gx * step, best.gy * step]

        // Mean colours over the interior, in linear light.
        let distanceMap = EdgeDistance.map(product)
        var master = [0.0, 0.0, 0.0], seen = [0.0, 0.0, 0.0], n = 0.0
        let pw = product.pixels.width
        for py in Swift.stride(from: 0, to: product.pixels.height, by: step) { for px in Swift.stride(from: 0, to: pw, by: step) {
            let i = py * pw + px
            guard distanceMap[i] > Float(ProductFidelity.defaultErosion) else { continue }
            let ox = product.x + px + shift[0], oy = product.y + py + shift[1]
            guard ox >= 0, oy >= 0, ox < output.width, oy < output.height else { continue }
            let o = (oy * output.width + ox) * output.bands
            for c in 0..<3 {
                master[c] += Colour.decode(Double(product.pixels.data[i * 4 + c]) / 255)
                seen[c] += Colour.decode(Double(output.data[o + c]) / 255)
            }
            n += 1
        } }
        let colour = n == 0 ? 100 : Colour.deltaE2000(Colour.lab(linear: master.map { $0 / n }), Colour.lab(linear: seen.map { $0 / n }))
        return RedrawnFigures(meanDeltaE: (colour * 1000).rounded() / 1000, shapeIoU: (best.iou * 1000).rounded() / 1000,
                              shift: shift, mask: "palette")
    }

    /// The product's main colours (its opaque pixels).
    static func palette(_ product: PlacedProduct) -> [Colour.Lab] {
        let p = product.pixels.data
        var opaque: [(UInt8, UInt8, UInt8)] = []
        for i in Swift.stride(from: 0, to: p.count, by: 4) where p[i + 3] == 255 { opaque.append((p[i], p[i + 1], p[i + 2])) }
        return palette(opaque)
    }

    /// The scene's main colours: the output's pixels in the window's outer ring, beyond `sceneMargin`
    /// of the product's size from its box.
    static func scenePalette(_ output: PixelBuffer, window w: (Int, Int, Int, Int), product b: (x0: Int, y0: Int, x1: Int, y1: Int), step: Int) -> [Colour.Lab] {
        let mx = Int(Double(b.x1 - b.x0) * sceneMargin), my = Int(Double(b.y1 - b.y0) * sceneMargin)
        var ring: [(UInt8, UInt8, UInt8)] = []
        for y in Swift.stride(from: w.1, to: w.3, by: step) { for x in Swift.stride(from: w.0, to: w.2, by: step) {
            guard x < b.x0 - mx || x >= b.x1 + mx || y < b.y0 - my || y >= b.y1 + my else { continue }
            let o = (y * output.width + x) * output.bands
            ring.append((output.data[o], output.data[o + 1], output.data[o + 2]))
        } }
        return palette(ring)
    }

    /// Main colours: sRGB bins (3 bits a channel) by pixel count until `paletteCoverage` of the
    /// pixels is covered, each as the Lab of its pixels' mean.
    static func palette(_ pixels: [(UInt8, UInt8, UInt8)]) -> [Colour.Lab] {
        var count = [Int](repeating: 0, count: 512), sums = [[Double]](repeating: [0, 0, 0], count: 512)
        var total = 0
        for (r, g, b) in pixels {
            let bin = Int(r >> 5) << 6 | Int(g >> 5) << 3 | Int(b >> 5)
            count[bin] += 1; total += 1
            sums[bin][0] += Double(r); sums[bin][1] += Double(g); sums[bin][2] += Double(b)
        }
        var out: [Colour.Lab] = [], covered = 0
        for bin in (0..<512).sorted(by: { count[$0] > count[$1] }) where count[bin] > 0 {
            guard Double(covered) < paletteCoverage * Double(total), out.count < paletteMaxColours else { break }
            out.append(Colour.lab(srgb: sums[bin].map { $0 / Double(count[bin]) }))
            covered += count[bin]
        }
        return out
    }

    static func nearest(_ palette: [Colour.Lab], _ c: Colour.Lab) -> Double {
        palette.reduce(Double.infinity) { min($0, distance($1, c)) }
    }

    static func distance(_ a: Colour.Lab, _ b: Colour.Lab) -> Double {
        ((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) + (a.b - b.b) * (a.b - b.b)).squareRoot()
    }
}
