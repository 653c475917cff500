import Foundation
import Imaging

/// Figures for one processed frame against its truth.
public struct SceneMetrics: Codable, Sendable {
    public var name: String
    public var set: String
    public var kind: String
    public var shape: String
    public var flags: [String]
    public var confidence: Double
    public var iou: Double
    public var boundaryF: Double
    public var alphaMAE: Double
    /// Alpha error within 8 px of the true outline, where all the difficulty is.
    public var alphaMAEEdge: Double
    /// Share of backdrop pixels (more than 2 px from the product) exactly 255,255,255 in the white composite.
    public var purity: Double
    /// The same, more than 4 px from the product (beyond JPEG's chroma bleed at an edge).
    public var purityBeyond4px: Double
    /// CIEDE2000 between the mean product colour and its truth (plain opaque products on neutral sweeps).
    public var deltaE2000: Double?
    public var productLab: [Double]?
    public var correctedBackdropL: Double
    /// Measured product long side over the true one (1 = framing will fill exactly as asked).
    public var fillRatio: Double
    public var milliseconds: Double
}

public enum Metrics {
    /// Compares a master (RGBA, crop of the frame at scale 1) and its mask with the truth.
    public static func measure(scene: Scene, truth: RenderedScene, master: PixelBuffer, mask: PixelBuffer,
                               crop: [Int], flags: [String], confidence: Double, correctedBackdrop: [Double],
                               productLongSide: Int, milliseconds: Double, impureMap: String? = nil) -> SceneMetrics {
        let w = scene.width, h = scene.height, n = w * h
        var est = [Float](repeating: 0, count: n)
        var composite = [UInt8](repeating: 255, count: n * 3)
        let (ox, oy) = (crop[0], crop[1])
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                let fx = ox + x, fy = oy + y
                guard fx < w, fy < h else { continue }
                let i = fy * w + fx, m = y * mask.width + x
                est[i] = Float(mask.data[m]) / 255
                let a = Float(master.data[m * 4 + 3]) / 255
                for c in 0..<3 {
                    composite[i * 3 + c] = UInt8((Float(master.data[m * 4 + c]) * a + 255 * (1 - a)).rounded())
                }
            }
        }
        // IoU and alpha error.
        var inter = 0, union = 0
        var absErr: Double = 0
        for i in 0..<n {
            let t = truth.alpha[i] > 0.5, e = est[i] > 0.5
            if t && e { inter += 1 }
            if t || e { union += 1 }
            absErr += Double(abs(truth.alpha[i] - est[i]))
        }
        let trueMask = truth.alpha.map { $0 > 0.5 }, estMask = est.map { $0 > 0.5 }
        let trueEdge = boundary(trueMask, w, h), estEdge = boundary(estMask, w, h)
        let nearTrue = dilate(trueEdge, w, h, radius: 2), nearEst = dilate(estEdge, w, h, radius: 2)
        var tp = 0, te = 0, ep = 0, ee = 0
        for i in 0..<n {
            if estEdge[i] { ee += 1; if nearTrue[i] { ep += 1 } }
            if trueEdge[i] { te += 1; if nearEst[i] { tp += 1 } }
        }
        let precision = ee > 0 ? Double(ep) / Double(ee) : 0, recall = te > 0 ? Double(tp) / Double(te) : 0
        let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        let band = dilate(trueEdge, w, h, radius: 8)
        var bandErr: Double = 0, bandCount = 0
        for i in 0..<n where band[i] { bandErr += Double(abs(truth.alpha[i] - est[i])); bandCount += 1 }

        // Purity: backdrop more than 2 px from any product coverage.
        let covered = dilate(truth.alpha.map { $0 > 0 }, w, h, radius: 2)
        var pure = 0, counted = 0
        var impure = PixelBuffer(width: w, height: h, bands: 1)
        for i in 0..<n where !covered[i] {
            counted += 1
            if composite[i * 3] == 255 && composite[i * 3 + 1] == 255 && composite[i * 3 + 2] == 255 { pure += 1 } else { impure.data[i] = 255 }
        }
        let far = dilate(truth.alpha.map { $0 > 0 }, w, h, radius: 4)
        var farPure = 0, farCounted = 0
        for i in 0..<n where !far[i] {
            farCounted += 1
            if composite[i * 3] == 255 && composite[i * 3 + 1] == 255 && composite[i * 3 + 2] == 255 { farPure += 1 }
        }
        if let impureMap { try? Image(impure).savePNG(impureMap) }

        // Product colour: mean over the solid interior, highlights left out.
        let solid = erode(truth.alpha.map { $0 >= 1 }, w, h, radius: 3)
        var outSum = SIMD3<Double>.zero, truthSum = SIMD3<Double>.zero, count = 0.0
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                let fx = ox + x, fy = oy + y
                guard fx < w, fy < h else { continue }
                let i = fy * w + fx, m = y * mask.width + x
                guard solid[i], !truth.specular[i] else { continue }
                outSum += SIMD3(Double(SRGB8.decode(master.data[m * 4])), Double(SRGB8.decode(master.data[m * 4 + 1])), Double(SRGB8.decode(master.data[m * 4 + 2])))
                let t = truth.alpha[i] > 0 ? truth.truth[i] : .zero
                truthSum += SIMD3(Double(t.x), Double(t.y), Double(t.z))
                count += 1
            }
        }
        var dE: Double? = nil, lab: [Double]? = nil
        if count > 0 {
            func srgb(_ l: SIMD3<Double>) -> [Double] { (0..<3).map { Double(SRGB8.encode(Float(l[$0] / count))) * 255 } }
            let o = Colour.lab(srgb: srgb(outSum)), t = Colour.lab(srgb: srgb(truthSum))
            lab = [o.l, o.a, o.b]
            if scene.kind == .opaque && scene.set != "coloured" { dE = Colour.deltaE2000(o, t) }
        }
        var trueLong = 0.0
        do {
            var minX = w, maxX = -1, minY = h, maxY = -1
            for i in 0..<n where trueMask[i] { minX = min(minX, i % w); maxX = max(maxX, i % w); minY = min(minY, i / w); maxY = max(maxY, i / w) }
            trueLong = Double(max(maxX - minX, maxY - minY) + 1)
        }
        return SceneMetrics(name: scene.name, set: scene.set, kind: scene.kind.rawValue, shape: scene.shape.rawValue, flags: flags, confidence: confidence,
                            iou: union > 0 ? Double(inter) / Double(union) : 0, boundaryF: f, alphaMAE: absErr / Double(n),
                            alphaMAEEdge: bandCount > 0 ? bandErr / Double(bandCount) : 0,
                            purity: counted > 0 ? Double(pure) / Double(counted) : 1,
                            purityBeyond4px: farCounted > 0 ? Double(farPure) / Double(farCounted) : 1, deltaE2000: dE, productLab: lab,
                            correctedBackdropL: Colour.lab(srgb: correctedBackdrop).l,
                            fillRatio: trueLong > 0 ? Double(productLongSide) / trueLong : 0, milliseconds: milliseconds)
    }

    static func boundary(_ m: [Bool], _ w: Int, _ h: Int) -> [Bool] {
        var b = [Bool](repeating: false, count: w * h)
        for y in 0..<h { for x in 0..<w {
            let i = y * w + x
            let v = m[i]
            if (x > 0 && m[i - 1] != v) || (x < w - 1 && m[i + 1] != v) || (y > 0 && m[i - w] != v) || (y < h - 1 && m[i + w] != v) { b[i] = v }
        } }
        return b
    }
    /// Square dilation, separable: a 1-D pass along rows, then along columns.
    static func dilate(_ m: [Bool], _ w: Int, _ h: Int, radius r: Int) -> [Bool] {
        var rows = [Bool](repeating: false, count: w * h)
        for y in 0..<h { dilateLine(m, into: &rows, start: y * w, step: 1, count: w, radius: r) }
        var out = [Bool](repeating: false, count: w * h)
        for x in 0..<w { dilateLine(rows, into: &out, start: x, step: w, count: h, radius: r) }
        return out
    }
    /// Marks every element within `radius` of a set one along a line of `count` elements.
    static func dilateLine(_ m: [Bool], into out: inout [Bool], start: Int, step: Int, count: Int, radius r: Int) {
        var last = -r - 1
        for k in 0..<count { if m[start + k * step] { last = k }; if k - last <= r { out[start + k * step] = true } }
        last = count + r + 1
        for k in stride(from: count - 1, through: 0, by: -1) { if m[start + k * step] { last = k }; if last - k <= r { out[start + k * step] = true } }
    }
    static func erode(_ m: [Bool], _ w: Int, _ h: Int, radius r: Int) -> [Bool] {
        dilate(m.map { !$0 }, w, h, radius: r).map { !$0 }
    }
}
