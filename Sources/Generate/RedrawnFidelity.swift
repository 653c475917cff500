import Foundation
import Imaging
import PipelineCore

/// How far a product a generator redrew (on-model) stayed from the photograph, when pixels cannot
/// be compared one for one.
///
/// Shape: the output's product mask is found by colour: within a window around where the product
/// was placed, the pixels whose colour lies near one of the master's own product colours (its
/// palette, ΔE76 ≤ `paletteDistance`). That mask is aligned with the placed product's mask by their
/// centroids (the generator may have moved the product a little) and compared by intersection over
/// union. It is an estimate: a background or a garment of the product's own colour inside the window
/// joins the mask and lowers the figure, so a doubt holds the variant for a person, never passes it.
///
/// Colour: CIEDE2000 between the master's mean product colour and the output's mean inside the
/// product's silhouette moved by that alignment, over its interior (edges left out).
public enum RedrawnFidelity {
    static let paletteDistance = 12.0
    static let paletteCoverage = 0.95
    static let paletteMaxColours = 24
    /// The window reaches this share of the product's size beyond its box on each side.
    static let windowMargin = 0.5
    /// The grid the masks are compared on has at most this many cells on its long side.
    static let gridLongSide = 200

    public static func measure(output: PixelBuffer, product: PlacedProduct) -> RedrawnFigures {
        guard let b = product.opaqueBounds() else { return RedrawnFigures(meanDeltaE: 0, shapeIoU: 0, shift: [0, 0], mask: "palette") }
        let palette = palette(product)
        let mx = Int(Double(b.x1 - b.x0) * windowMargin), my = Int(Double(b.y1 - b.y0) * windowMargin)
        let x0 = max(0, b.x0 - mx), y0 = max(0, b.y0 - my), x1 = min(output.width, b.x1 + mx), y1 = min(output.height, b.y1 + my)
        let step = max(1, max(x1 - x0, y1 - y0) / gridLongSide)
        var labs: [Int32: Colour.Lab] = [:]
        func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Colour.Lab {
            let key = Int32(r) << 16 | Int32(g) << 8 | Int32(b)
            if let l = labs[key] { return l }
            let l = Colour.lab(srgb: [Double(r), Double(g), Double(b)]); labs[key] = l; return l
        }
        // Cells of both masks, in output coordinates of the cell's pixel.
        var placed: [(Int, Int)] = [], found: [(Int, Int)] = []
        var y = y0
        while y < y1 {
            var x = x0
            while x < x1 {
                if product.alpha(x, y) >= 128 { placed.append((x, y)) }
                let o = (y * output.width + x) * output.bands
                let c = lab(output.data[o], output.data[o + 1], output.data[o + 2])
                if palette.contains(where: { distance($0, c) <= paletteDistance }) { found.append((x, y)) }
                x += step
            }
            y += step
        }
        func centroid(_ cells: [(Int, Int)]) -> (Double, Double) {
            let n = Double(max(1, cells.count))
            return (cells.reduce(0.0) { $0 + Double($1.0) } / n, cells.reduce(0.0) { $0 + Double($1.1) } / n)
        }
        let cp = centroid(placed), cf = centroid(found)
        // Whole grid steps, so shifted cells land on cells.
        let dx = Int(((cf.0 - cp.0) / Double(step)).rounded()) * step, dy = Int(((cf.1 - cp.1) / Double(step)).rounded()) * step
        func iou(_ sx: Int, _ sy: Int) -> Double {
            let a = Set(placed.map { Cell(x: $0.0 + sx, y: $0.1 + sy) }), f = Set(found.map { Cell(x: $0.0, y: $0.1) })
            let union = a.union(f).count
            return union == 0 ? 0 : Double(a.intersection(f).count) / Double(union)
        }
        let aligned = found.isEmpty ? 0 : iou(dx, dy), still = iou(0, 0)
        let shift = aligned > still ? [dx, dy] : [0, 0]

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
        return RedrawnFigures(meanDeltaE: (colour * 1000).rounded() / 1000, shapeIoU: (max(aligned, still) * 1000).rounded() / 1000,
                              shift: shift, mask: "palette")
    }

    private struct Cell: Hashable { var x: Int, y: Int }

    /// The product's main colours: sRGB bins (3 bits a channel) by pixel count until `paletteCoverage`
    /// of the product is covered, each as the Lab of its pixels' mean.
    static func palette(_ product: PlacedProduct) -> [Colour.Lab] {
        var count = [Int](repeating: 0, count: 512), sums = [[Double]](repeating: [0, 0, 0], count: 512)
        let p = product.pixels.data
        var total = 0
        for i in Swift.stride(from: 0, to: p.count, by: 4) where p[i + 3] == 255 {
            let bin = Int(p[i] >> 5) << 6 | Int(p[i + 1] >> 5) << 3 | Int(p[i + 2] >> 5)
            count[bin] += 1; total += 1
            for c in 0..<3 { sums[bin][c] += Double(p[i + c]) }
        }
        var out: [Colour.Lab] = [], covered = 0
        for bin in (0..<512).sorted(by: { count[$0] > count[$1] }) where count[bin] > 0 {
            guard Double(covered) < paletteCoverage * Double(total), out.count < paletteMaxColours else { break }
            out.append(Colour.lab(srgb: sums[bin].map { $0 / Double(count[bin]) }))
            covered += count[bin]
        }
        return out
    }

    static func distance(_ a: Colour.Lab, _ b: Colour.Lab) -> Double {
        ((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) + (a.b - b.b) * (a.b - b.b)).squareRoot()
    }
}
