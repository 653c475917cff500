import Foundation
import Imaging

/// Builds the master at full size from the coarse analysis: a trimap band around the coarse
/// outline is matted per pixel (each pixel's colour read as a mix of the local product and the
/// local lit backdrop), edge colours are freed of backdrop, the colour correction is applied,
/// and the shadow is laid under the product in the alpha channel.
struct MasterComposer {
    struct Result {
        var master: PixelBuffer   // RGBA: product + shadow (black, in alpha)
        var mask: PixelBuffer     // product alpha only
        var box: (x: Int, y: Int, w: Int, h: Int)
        var centroid: (Double, Double)
        var clippedShare: Double
        /// Solid product pixels black in every channel of the shot.
        var crushedShare: Double
        /// ΔE76 between product and backdrop along the coarse outline, one per outline cell.
        var edgeContrasts: [Double]
    }

    /// Alpha below `low` is backdrop and above `high` product; between, stretched to 0…1. The two
    /// are symmetric about 0.5 so the stretch does not move an edge (an asymmetric pair thinned
    /// every outline by a fraction of a pixel: chair legs lost 3% IoU).
    static let low: Float = 0.2, high: Float = 0.8
    /// At or below this in every channel of the shot a product pixel is crushed black.
    static let crushedLevel = 2
    /// Coarse pixels this close to the coarse outline are matted at full size.
    static let bandRadius = 2
    /// Pixels within this share of a cell's largest distance from the backdrop are its product colour.
    static let extremeShare: Float = 0.8
    /// Below this linear distance from the backdrop a cell holds no product colour, only noise and
    /// JPEG ringing (about 2σ of the sensor noise on a bright sweep is 0.035).
    static let minimumContrast: Float = 0.06
    /// A pixel this close to the lit backdrop is backdrop (sensor noise and JPEG ringing).
    static let noiseFloor: Float = 0.025
    /// An edge whose luminance step is at least this share of its colour step is matted on luminance.
    static let lumaShare: Float = 0.3

    /// `probability`: the network's opinion at coarse size, when its cut-out won; it sets the alpha
    /// of edge pixels whose colour cannot tell product from backdrop (white on white).
    static func compose(fine: PixelBuffer, originX: Int, originY: Int, grid: CoarseGrid, coarse: CoarseMatte,
                        gains: SIMD3<Float>, probability: [Float]? = nil, shadowFor: (_ productBox: (x: Float, y: Float, w: Float, h: Float)) -> ShadowLayer) -> Result {
        let w = fine.width, h = fine.height, n = w * h
        let band = bandMap(coarse)

        // Per channel: sRGB byte → corrected sRGB byte, for the product's interior.
        var luts = [[UInt8]](repeating: [], count: 3)
        var clipsAt = [Int](repeating: 256, count: 3)
        for c in 0..<3 {
            luts[c] = (0..<256).map { v in SRGB.byte(SRGB.toLinear[v] * gains[c]) }
            // A pixel at 255 in the shot is clipped whatever the gain: its detail is gone.
            clipsAt[c] = (0..<256).first { SRGB.toLinear[$0] * gains[c] > 1.0 } ?? 255
        }

        // Pass 1: the product colour next to each stretch of outline, from the full-size pixels
        // themselves: per coarse cell, the mean of the pixels farthest from the backdrop. Thin
        // parts (legs, straps) that have no interior at coarse size get their true colour this way.
        let cells = coarse.width * coarse.height
        let columns = grid.nearestColumns(origin: originX, count: w), rows = grid.nearestRows(origin: originY, count: h)
        var cellMax = [Float](repeating: 0, count: cells)
        var inBand = [Bool](repeating: false, count: n)
        var distance = [Float](repeating: 0, count: n)
        fine.data.withUnsafeBufferPointer { px in
            for y in 0..<h {
                for x in 0..<w {
                    let gx = originX + x, gy = originY + y, i = y * w + x
                    let ci = rows[y] * coarse.width + columns[x]
                    guard band[ci] else { continue }
                    inBand[i] = true
                    let d = length(SRGB.linear(px, i * fine.bands) - grid.sample(coarse.backdropColour, gx, gy))
                    distance[i] = d
                    cellMax[ci] = max(cellMax[ci], d)
                }
            }
        }
        var cellSum = [SIMD3<Float>](repeating: .zero, count: cells)
        var cellCount = [Float](repeating: 0, count: cells)
        fine.data.withUnsafeBufferPointer { px in
            for y in 0..<h {
                for x in 0..<w where inBand[y * w + x] {
                    let i = y * w + x, ci = rows[y] * coarse.width + columns[x]
                    if distance[i] >= extremeShare * cellMax[ci] { cellSum[ci] += SRGB.linear(px, i * fine.bands); cellCount[ci] += 1 }
                }
            }
        }
        // For each cell, the product cell nearby (within the band's radius) whose extreme is largest
        // supplies the product colour: at 1:1 scale that reaches pure pixels inside the edge.
        var cellColour = [SIMD3<Float>](repeating: .zero, count: cells)
        var hasColour = [Bool](repeating: false, count: cells)
        let cw = coarse.width, ch = coarse.height
        for cy in 0..<ch {
            for cx in 0..<cw where band[cy * cw + cx] {
                var best = -1, bestMax: Float = 0
                let r = bandRadius
                for dy in -r...r { for dx in -r...r {
                    let nx = cx + dx, ny = cy + dy
                    guard nx >= 0, ny >= 0, nx < cw, ny < ch else { continue }
                    let j = ny * cw + nx
                    if coarse.labels[j] == .product && cellCount[j] > 0 && cellMax[j] > bestMax { bestMax = cellMax[j]; best = j }
                }}
                if best >= 0 && bestMax >= minimumContrast {
                    cellColour[cy * cw + cx] = cellSum[best] / cellCount[best]; hasColour[cy * cw + cx] = true
                }
            }
        }
        var contrasts: [Double] = []
        for cy in 0..<ch {
            for cx in 0..<cw {
                let j = cy * cw + cx
                guard coarse.labels[j] == .product else { continue }
                let outline = (cx > 0 && coarse.labels[j - 1] != .product) || (cx < cw - 1 && coarse.labels[j + 1] != .product)
                    || (cy > 0 && coarse.labels[j - cw] != .product) || (cy < ch - 1 && coarse.labels[j + cw] != .product)
                guard outline, cellCount[j] > 0 || hasColour[j] else { continue }
                contrasts.append(hasColour[j] ? Lab.deltaE76(cellColour[j], coarse.backdropColour[j]) : 0)
            }
        }

        // Pass 2: alpha. Outside the band it is the coarse label; inside, the pixel's colour
        // read as a mix of that product colour and the lit backdrop.
        var alpha = [Float](repeating: 0, count: n)
        let isProduct = coarse.labels.map { $0 == .product }
        fine.data.withUnsafeBufferPointer { px in
          alpha.withUnsafeMutableBufferPointer { alpha in
          inBand.withUnsafeBufferPointer { inBand in
          isProduct.withUnsafeBufferPointer { isProduct in
            for y in 0..<h {
                let rowCell = rows[y] * coarse.width
                for x in 0..<w {
                    let i = y * w + x
                    let ci = rowCell + columns[x]
                    if !inBand[i] { alpha[i] = isProduct[ci] ? 1 : 0; continue }
                    let gx = originX + x, gy = originY + y
                    guard hasColour[ci] else { alpha[i] = probability.map { grid.sample($0, gx, gy) } ?? 0; continue }
                    let c = SRGB.linear(px, i * fine.bands)
                    let b = grid.sample(coarse.backdropColour, gx, gy)
                    // Within the noise of the backdrop: backdrop, whatever the projection says.
                    if length(c - b) < noiseFloor { alpha[i] = 0; continue }
                    let d = cellColour[ci] - b
                    let dd = dot(d, d)
                    var t = dot(c - b, d) / dd
                    // Where the edge is one of brightness, read the mix from luminance alone: JPEG keeps
                    // colour at half resolution, so chroma bleeds a few pixels past an edge; luma does not.
                    let dy = luminance(d)
                    if abs(dy) > lumaShare * dd.squareRoot() { t = luminance(c - b) / dy }
                    // Far off the backdrop–product line: another colour of the product, not a mix.
                    let off = length(c - b - d * t)
                    alpha[i] = (t > 0.3 && off > 0.35 * dd.squareRoot()) ? 1 : min(max(t, 0), 1)
                }
            }
          }
          }
          }
        }
        // Pass 3: a 3×3 mean inside the band takes the noise out, then the ends are snapped.
        var smooth = alpha
        alpha.withUnsafeBufferPointer { alpha in
          smooth.withUnsafeMutableBufferPointer { smooth in
          inBand.withUnsafeBufferPointer { inBand in
            for y in 0..<h {
                for x in 0..<w where inBand[y * w + x] {
                    // Smoothing never creates alpha: a pixel that reads as backdrop on its own stays
                    // backdrop (JPEG ringing and noise just outside an edge would otherwise tint the white).
                    if alpha[y * w + x] < low { smooth[y * w + x] = 0; continue }
                    var s: Float = 0, count: Float = 0
                    for ny in max(0, y - 1)...min(h - 1, y + 1) {
                        for nx in max(0, x - 1)...min(w - 1, x + 1) { s += alpha[ny * w + nx]; count += 1 }
                    }
                    let a = (s / count - low) / (high - low)
                    smooth[y * w + x] = a <= 0 ? 0 : (a >= 1 ? 1 : a)
                }
            }
          }
          }
        }
        alpha = smooth

        // The product's box at full size: a synthesised shadow is placed from it, so it sits the
        // same under every product whatever the coarse grid did.
        var minX = w, minY = h, maxX = -1, maxY = -1
        for y in 0..<h { for x in 0..<w where alpha[y * w + x] >= 0.5 {
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
        } }
        let shadow = maxX < 0 ? ShadowLayer.none
            : shadowFor((Float(originX + minX), Float(originY + minY), Float(maxX - minX + 1), Float(maxY - minY + 1)))

        // Pass 4: colour and composition.
        var master = PixelBuffer(width: w, height: h, bands: 4)
        var mask = PixelBuffer(width: w, height: h, bands: 1)
        var sumA: Double = 0, sumX: Double = 0, sumY: Double = 0
        var clipped = 0, crushed = 0, solid = 0
        let lut = luts[0] + luts[1] + luts[2]
        let (clipR, clipG, clipB) = (clipsAt[0], clipsAt[1], clipsAt[2])
        let bands = fine.bands
        let hasShadow: Bool = { if case .none = shadow { return false }; return true }()
        fine.data.withUnsafeBufferPointer { px in
          alpha.withUnsafeBufferPointer { alpha in
          lut.withUnsafeBufferPointer { lut in
            master.data.withUnsafeMutableBufferPointer { out in
                mask.data.withUnsafeMutableBufferPointer { m in
                    for y in 0..<h {
                        var rowA: Double = 0, rowX: Double = 0
                        for x in 0..<w {
                            let i = y * w + x, src = i * bands, dst = i * 4
                            let a = alpha[i]
                            if a > 0 { rowA += Double(a); rowX += Double(a) * Double(x) }
                            if a >= 1 {
                                let r = Int(px[src]), g = Int(px[src + 1]), b = Int(px[src + 2])
                                out[dst] = lut[r]; out[dst + 1] = lut[256 + g]; out[dst + 2] = lut[512 + b]
                                if r >= clipR || g >= clipG || b >= clipB { clipped += 1 }
                                if r <= crushedLevel && g <= crushedLevel && b <= crushedLevel { crushed += 1 }
                                solid += 1
                                out[dst + 3] = 255; m[i] = 255
                                continue
                            }
                            let gx = originX + x, gy = originY + y
                            let o = hasShadow ? shadow.opacity(gx: gx, gy: gy, grid: grid, shade: coarse.shade) : 0
                            if a <= 0 {
                                // Backdrop: black at the shadow's opacity, or transparent.
                                out[dst] = 0; out[dst + 1] = 0; out[dst + 2] = 0
                                out[dst + 3] = UInt8((o * 255).rounded())
                                if o == 0 { out[dst] = 255; out[dst + 1] = 255; out[dst + 2] = 255 }
                                m[i] = 0
                                continue
                            }
                            // Edge: the product's own colour, with the backdrop's share removed.
                            let c = SRGB.linear(px, src)
                            let b = grid.sample(coarse.backdropColour, gx, gy)
                            let ci = rows[y] * coarse.width + columns[x]
                            let estimate = hasColour[ci] ? cellColour[ci] : grid.sample(coarse.productColour, gx, gy)
                            let unmixed = pointwiseMax((c - b * (1 - a)) / max(a, 1e-3), .zero)
                            let trust = min(max((a - 0.1) / 0.4, 0), 1)
                            let f = (unmixed * trust + estimate * (1 - trust)) * gains
                            let total = a + (1 - a) * o
                            let share = a / total
                            out[dst] = UInt8((Float(SRGB.byte(f.x)) * share).rounded())
                            out[dst + 1] = UInt8((Float(SRGB.byte(f.y)) * share).rounded())
                            out[dst + 2] = UInt8((Float(SRGB.byte(f.z)) * share).rounded())
                            out[dst + 3] = UInt8((total * 255).rounded())
                            m[i] = UInt8((a * 255).rounded())
                        }
                        sumA += rowA; sumX += rowX; sumY += rowA * Double(y)
                    }
                }
            }
          }
          }
        }
        let box = maxX < 0 ? (0, 0, 0, 0) : (minX, minY, maxX - minX + 1, maxY - minY + 1)
        let centroid = sumA > 0 ? (sumX / sumA, sumY / sumA) : (Double(w) / 2, Double(h) / 2)
        return Result(master: master, mask: mask, box: box, centroid: centroid,
                      clippedShare: solid > 0 ? Double(clipped) / Double(solid) : 0,
                      crushedShare: solid > 0 ? Double(crushed) / Double(solid) : 0,
                      edgeContrasts: contrasts)
    }

    /// Coarse pixels within `bandRadius` of a change between product and not-product.
    static func bandMap(_ coarse: CoarseMatte) -> [Bool] {
        let w = coarse.width, h = coarse.height
        var edge = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let p = coarse.labels[y * w + x] == .product
                if (x + 1 < w && (coarse.labels[y * w + x + 1] == .product) != p) ||
                    (y + 1 < h && (coarse.labels[(y + 1) * w + x] == .product) != p) {
                    edge[y * w + x] = true
                    if x + 1 < w { edge[y * w + x + 1] = true }
                    if y + 1 < h { edge[(y + 1) * w + x] = true }
                }
            }
        }
        var band = edge
        let r = bandRadius
        for y in 0..<h {
            for x in 0..<w where edge[y * w + x] {
                for dy in -r...r { for dx in -r...r {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < h { band[ny * w + nx] = true }
                } }
            }
        }
        return band
    }
}
