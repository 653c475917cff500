import Foundation
import Imaging
import PipelineCore

/// The reduced-size analysis: backdrop model, a label per pixel (backdrop, shadow, product),
/// and the colour maps the full-size edge refinement reads.
struct CoarseMatte {
    enum Label: UInt8 { case backdrop = 0, shadow = 1, product = 2 }

    let width: Int
    let height: Int
    var model: BackdropModel
    var observed: [SIMD3<Float>]
    var labels: [Label]
    /// Luminance of each pixel against the model: 1 on clean backdrop, < 1 in shadow.
    var shade: [Float]
    /// Backdrop colour as lit (model × shade), filled in under the product.
    var backdropColour: [SIMD3<Float>]
    /// Product colour, from the product's interior, spread outward past its edge.
    var productColour: [SIMD3<Float>]
    var fitResidual: Double = 0
    var holeArea = 0
    /// Product pixels that are specular highlights (see `SpecularHighlights`).
    var highlightArea = 0
    /// Luminance of each pixel against the fitted sweep (1 on clean backdrop).
    private(set) var lightRatio: [Float]
    /// Pixels reached from the border that match the sweep (or its shadow) within half the
    /// backdrop's tolerance: clean sweep, whatever another opinion says (the floor between a
    /// chair's legs).
    private(set) var sureBackdrop: [Bool]
    /// The fitted sweep's colour at each pixel, unlit by shadows.
    private(set) var surface: [SIMD3<Float>]

    /// Tuning that does not belong in the config: measured on the synthetic ground-truth set.
    static let ringShare: Float = 0.05
    static let shadowStep: Float = 0.07

    init(pixels: PixelBuffer, settings: RetouchSettings) {
        width = pixels.width; height = pixels.height
        let n = width * height
        var linear = [SIMD3<Float>](repeating: .zero, count: n)
        pixels.data.withUnsafeBufferPointer { p in
            for i in 0..<n { linear[i] = SRGB.linear(p, i * pixels.bands) }
        }
        let w = width, h = height
        // Classification reads a 3×3 mean: a third of the noise, and edges stay inside the band.
        let raw = linear
        for y in 0..<h {
            for x in 0..<w {
                var s = SIMD3<Float>.zero, c: Float = 0
                for dy in -1...1 { for dx in -1...1 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < h { s += raw[ny * w + nx]; c += 1 }
                } }
                linear[y * w + x] = s / c
            }
        }
        let uv: (Int) -> (Float, Float) = { i in ((Float(i % w) + 0.5) / Float(w), (Float(i / w) + 0.5) / Float(h)) }

        // 1. Fit the sweep to the border ring, trimming what does not fit (product, shadow).
        let ring = max(2, Int(Float(min(w, h)) * CoarseMatte.ringShare))
        var sampleIndex: [Int] = []
        for y in 0..<h { for x in 0..<w where x < ring || y < ring || x >= w - ring || y >= h - ring { sampleIndex.append(y * w + x) } }
        sampleIndex = CoarseMatte.dropOffHue(sampleIndex, linear)
        var model = BackdropModel(coefficients: [SIMD3(repeating: 0.5)] + [SIMD3<Float>](repeating: .zero, count: BackdropModel.terms - 1))
        var surface = model.map(width: w, height: h)
        for _ in 0..<4 {
            if let m = BackdropModel.fit(sampleIndex.map { let (u, v) = uv($0); return (u, v, linear[$0]) }, maxSamples: 6000) { model = m }
            surface = model.map(width: w, height: h)
            let errors = sampleIndex.map { i -> Float in
                let m = surface[i]
                return length(linear[i] - m) / max(luminance(m), 1e-4)
            }
            let cut = max(CoarseMatte.median(errors) + 3 * 1.4826 * CoarseMatte.mad(errors), 0.02)
            sampleIndex = zip(sampleIndex, errors).filter { $0.1 <= cut }.map(\.0)
        }

        // 2. Classify against the model; refit on everything that reads as backdrop.
        var k = [Float](repeating: 1, count: n), chroma = [Float](repeating: 0, count: n)
        var tl: Float = 0.03, tc: Float = 0.025
        let floor = Float(1 - settings.shadowMaxDepth)
        for round in 0..<2 {
            for i in 0..<n {
                let m = pointwiseMax(surface[i], SIMD3(repeating: 1e-4))
                let c = linear[i]
                let ki = luminance(c) / luminance(m)
                let q = c / m / max(ki, 1e-4)
                k[i] = ki
                chroma[i] = maxAbs(q - SIMD3(repeating: 1))
            }
            let bgIdx = sampleIndex
            let dk = bgIdx.map { abs(k[$0] - 1) }, dc = bgIdx.map { chroma[$0] }
            tl = max(0.03, 5 * 1.4826 * CoarseMatte.median(dk))
            tc = max(0.025, 5 * 1.4826 * CoarseMatte.median(dc))
            if round == 1 { break }
            let stride = max(1, n / 60_000)
            sampleIndex = Swift.stride(from: 0, to: n, by: stride).filter { abs(k[$0] - 1) <= tl && chroma[$0] <= tc }
            if let m = BackdropModel.fit(sampleIndex.map { let (u, v) = uv($0); return (u, v, linear[$0]) }) { model = m }
            surface = model.map(width: w, height: h)
        }
        self.model = model
        self.observed = linear
        let residuals = sampleIndex.map { k[$0] - 1 }
        fitResidual = residuals.isEmpty ? 1 : Double((residuals.map { $0 * $0 }.reduce(0, +) / Float(residuals.count)).squareRoot())

        var backdropLike = (0..<n).map { abs(k[$0] - 1) <= tl && chroma[$0] <= tc }
        // JPEG keeps colour at half resolution in 16-pixel blocks, so colour rings a few pixels past
        // a brightness edge: a pixel off only slightly in colour, near one off in brightness, is
        // backdrop here; the full-size pass settles the edge on luminance.
        let lumaOff = (0..<n).map { abs(k[$0] - 1) > tl }
        for y in 0..<h {
            for x in 0..<w where !backdropLike[y * w + x] && !lumaOff[y * w + x] && chroma[y * w + x] <= 3 * tc {
                var near = false
                for dy in -4...4 { for dx in -4...4 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < h, lumaOff[ny * w + nx] { near = true }
                } }
                if near { backdropLike[y * w + x] = true }
            }
        }
        let shadowLike = (0..<n).map { k[$0] < 1 - tl && k[$0] >= floor && chroma[$0] <= tc * 1.5 }

        // 3. The backdrop is what connects to the frame's border; shadows are reached from it only
        //    through soft steps, so a neutral product's hard edge stops the flood.
        var labels = [Label](repeating: .product, count: n)
        var reached = [Bool](repeating: false, count: n)
        var queue: [Int] = []
        queue.reserveCapacity(n)
        for i in 0..<n where backdropLike[i] {
            let x = i % w, y = i / w
            if x == 0 || y == 0 || x == w - 1 || y == h - 1 { reached[i] = true; queue.append(i) }
        }
        var head = 0
        while head < queue.count {
            let p = queue[head]; head += 1
            let x = p % w, y = p / w
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                let q = ny * w + nx
                if reached[q] { continue }
                if backdropLike[q] || (shadowLike[q] && abs(k[q] - k[p]) <= CoarseMatte.shadowStep) {
                    reached[q] = true; queue.append(q)
                }
            }
        }
        for i in 0..<n where reached[i] { labels[i] = backdropLike[i] ? .backdrop : .shadow }
        // Shadows count: reached only through soft steps, neutral, they are sweep under less light.
        sureBackdrop = (0..<n).map { reached[$0] && chroma[$0] <= tc * 0.5 && (abs(k[$0] - 1) <= tl * 0.5 || !backdropLike[$0]) }

        // 4. Enclosed backdrop-coloured regions are holes (a handle, a gap) only when they match
        //    the sweep closely; a white label on a product does not.
        var holeArea = 0
        for component in CoarseMatte.components(width: w, height: h, where: { !reached[$0] && backdropLike[$0] }, diagonal: false) {
            let mk = component.reduce(Float(0)) { $0 + abs(k[$1] - 1) } / Float(component.count)
            let mc = component.reduce(Float(0)) { $0 + chroma[$1] } / Float(component.count)
            if component.count >= 3 && mk <= tl * 0.6 && mc <= tc * 0.6 {
                for i in component { labels[i] = .backdrop }
                holeArea += component.count
            }
        }
        self.holeArea = holeArea

        // 5. Spikes and pits along the outline are noise: a product pixel with fewer than three
        //    product neighbours goes, a backdrop pixel with six or more becomes product.
        for _ in 0..<2 {
            var next = labels
            for y in 1..<max(1, h - 1) {
                for x in 1..<max(1, w - 1) {
                    let i = y * w + x
                    var count = 0
                    for dy in -1...1 { for dx in -1...1 where (dx != 0 || dy != 0) && labels[i + dy * w + dx] == .product { count += 1 } }
                    if labels[i] == .product && count < 3 { next[i] = reached[i] && !backdropLike[i] ? .shadow : .backdrop }
                    else if labels[i] != .product && count >= 6 { next[i] = .product }
                }
            }
            labels = next
        }

        // 6. Specks: product parts far smaller than the main part are dust, not product.
        let parts = CoarseMatte.components(width: w, height: h, where: { labels[$0] == .product }, diagonal: true)
        let largest = parts.map(\.count).max() ?? 0
        let minimum = max(3, Int(Double(largest) * settings.minPartFraction))
        for part in parts where part.count < minimum { for i in part { labels[i] = .backdrop } }
        self.labels = labels
        self.lightRatio = k
        self.surface = surface
        shade = []; backdropColour = []; productColour = []
        deriveMaps()
    }

    /// Replaces the labels (the network's cut-out where keying was unsure) and derives the maps again.
    mutating func adopt(labels new: [Label]) {
        labels = new
        deriveMaps()
    }

    /// Highlights and the maps the edge refinement reads, from the labels: the lit backdrop under
    /// the product, the product colour beyond its edge.
    private mutating func deriveMaps() {
        let w = width, h = height, n = w * h
        let labels = self.labels, k = lightRatio, linear = observed
        highlightArea = SpecularHighlights.count(labels: labels, linear: linear, width: w, height: h)

        var shade = [Float](repeating: 1, count: n)
        var known = [Bool](repeating: false, count: n)
        for i in 0..<n where labels[i] != .product { shade[i] = labels[i] == .shadow ? k[i] : 1; known[i] = true }
        CoarseMatte.spread(&shade, known: &known, width: w, height: h, steps: 6, fallback: 1)
        self.shade = shade
        var backdrop = [SIMD3<Float>](repeating: .zero, count: n)
        for i in 0..<n { backdrop[i] = pointwiseMax(surface[i], SIMD3(repeating: 1e-4)) * shade[i] }
        self.backdropColour = backdrop

        var product = linear
        var interior = [Bool](repeating: false, count: n)
        for y in 1..<max(1, h - 1) {
            for x in 1..<max(1, w - 1) {
                let i = y * w + x
                guard labels[i] == .product else { continue }
                var all = true
                for dy in -1...1 { for dx in -1...1 where labels[i + dy * w + dx] != .product { all = false } }
                interior[i] = all
            }
        }
        // Thin parts have no interior: their own (mixed) colour is the best estimate there is.
        for i in 0..<n where labels[i] == .product && !interior[i] {
            var has = false
            let x = i % w, y = i / w
            for dy in -2...2 { for dx in -2...2 {
                let nx = x + dx, ny = y + dy
                if nx >= 0, ny >= 0, nx < w, ny < h, interior[ny * w + nx] { has = true }
            } }
            if !has { interior[i] = true }
        }
        CoarseMatte.spread(&product, known: &interior, width: w, height: h, steps: 5, fallback: SIMD3(repeating: 0))
        self.productColour = product
    }

    /// Fills unknown pixels from the mean of their known neighbours, one ring per step. Only the
    /// ring being filled is visited, so a few steps cost the ring's area, not the frame's.
    static func spread<T: SIMDAverageable>(_ values: inout [T], known: inout [Bool], width w: Int, height h: Int, steps: Int, fallback: T) {
        var queued = [Bool](repeating: false, count: values.count)
        var frontier: [Int] = []
        func enqueueNeighbours(of i: Int) {
            let x = i % w, y = i / w
            for dy in -1...1 { for dx in -1...1 {
                let nx = x + dx, ny = y + dy
                guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                let j = ny * w + nx
                if !known[j] && !queued[j] { queued[j] = true; frontier.append(j) }
            } }
        }
        for i in 0..<values.count where known[i] {
            // Only known pixels on the edge of the known region can have unknown neighbours.
            let x = i % w, y = i / w
            if (x > 0 && !known[i - 1]) || (x < w - 1 && !known[i + 1]) || (y > 0 && !known[i - w]) || (y < h - 1 && !known[i + w])
                || (x > 0 && y > 0 && !known[i - w - 1]) || (x < w - 1 && y > 0 && !known[i - w + 1])
                || (x > 0 && y < h - 1 && !known[i + w - 1]) || (x < w - 1 && y < h - 1 && !known[i + w + 1]) {
                enqueueNeighbours(of: i)
            }
        }
        for _ in 0..<steps where !frontier.isEmpty {
            let ring = frontier
            frontier = []
            var filled: [(Int, T)] = []
            filled.reserveCapacity(ring.count)
            for i in ring {
                let x = i % w, y = i / w
                var sum = T.zero, count = 0
                for dy in -1...1 { for dx in -1...1 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h, known[ny * w + nx] else { continue }
                    sum = sum + values[ny * w + nx]; count += 1
                } }
                if count > 0 { filled.append((i, sum.scaled(1 / Float(count)))) }
            }
            for (i, v) in filled { values[i] = v; known[i] = true }
            for (i, _) in filled { enqueueNeighbours(of: i) }
        }
        for i in 0..<values.count where !known[i] { values[i] = fallback }
    }

    /// Before the first fit: ring samples whose hue is far from the ring's median hue are product
    /// running off the frame, not sweep. Left in, a cut-off orange product bent the first fit
    /// orange and the whole frame's colour with it. Brightness is left to the fit's own trimming
    /// (fall-off darkens corners); a ring that is mostly off-hue is kept whole.
    static func dropOffHue(_ ring: [Int], _ linear: [SIMD3<Float>]) -> [Int] {
        func hue(_ c: SIMD3<Float>) -> SIMD3<Float> { c / max(c.x + c.y + c.z, 1e-4) }
        let hues = ring.map { hue(linear[$0]) }
        let mid = SIMD3(median(hues.map(\.x)), median(hues.map(\.y)), median(hues.map(\.z)))
        let kept = zip(ring, hues).filter { maxAbs($0.1 - mid) <= offHue }.map(\.0)
        return kept.count * 2 >= ring.count ? kept : ring
    }
    /// Chromaticity distance (shares of r+g+b) beyond which a ring sample is not sweep: a warm or
    /// cool sweep, uniform across the frame, stays well inside it.
    static let offHue: Float = 0.06

    /// Connected components (4- or 8-connected) of the pixels a predicate selects.
    static func components(width w: Int, height h: Int, where member: (Int) -> Bool, diagonal: Bool) -> [[Int]] {
        var seen = [Bool](repeating: false, count: w * h)
        var result: [[Int]] = []
        var stack: [Int] = []
        for start in 0..<(w * h) where !seen[start] && member(start) {
            var part: [Int] = []
            seen[start] = true; stack.append(start)
            while let p = stack.popLast() {
                part.append(p)
                let x = p % w, y = p / w
                for dy in -1...1 { for dx in -1...1 where (dx != 0 || dy != 0) && (diagonal || dx == 0 || dy == 0) {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                    let q = ny * w + nx
                    if !seen[q] && member(q) { seen[q] = true; stack.append(q) }
                } }
            }
            result.append(part)
        }
        return result
    }

    static func median(_ v: [Float]) -> Float {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s[s.count / 2]
    }
    static func mad(_ v: [Float]) -> Float {
        let m = median(v)
        return median(v.map { abs($0 - m) })
    }
}

/// What `spread` needs of a pixel value: a zero, a sum and a scale.
protocol SIMDAverageable {
    static var zero: Self { get }
    static func + (a: Self, b: Self) -> Self
    func scaled(_ f: Float) -> Self
}
extension Float: SIMDAverageable { func scaled(_ f: Float) -> Float { self * f } }
extension SIMD3: SIMDAverageable where Scalar == Float { func scaled(_ f: Float) -> SIMD3<Float> { self * f } }
