import Foundation

/// Where a master goes on a preset's canvas: scaled so the product's longest side fills the
/// preset's share of the canvas, placed by gravity, never upscaled.
public struct FitPlan: Sendable, Equatable {
    /// Canvas pixels per master pixel (≤ 1).
    public var scale: Double
    /// Size of the scaled master and its top-left corner on the canvas (may be negative:
    /// margin and shadow outside the canvas are cut off).
    public var scaledWidth: Int, scaledHeight: Int
    public var x: Int, y: Int
    /// The product's longest side against the canvas, as placed.
    public var fill: Double

    public struct TooSmall: Error, Sendable, Equatable {
        public var reason: String
        /// The product's long side in the master, and what the channel needs, in pixels.
        public var productPixels = 0
        public var neededPixels = 0
    }

    /// - Parameters:
    ///   - product: the product box in master pixels (x, y, width, height); the whole master when nil.
    public static func make(masterWidth: Int, masterHeight: Int, product: [Int]?, preset p: ChannelPreset) throws -> FitPlan {
        let box = (product?.count == 4 && product![2] > 0 && product![3] > 0) ? product! : [0, 0, masterWidth, masterHeight]
        let (bx, by, bw, bh) = (Double(box[0]), Double(box[1]), Double(box[2]), Double(box[3]))
        let cw = Double(p.width), ch = Double(p.height)
        let fitScale = min(cw / bw, ch / bh)          // the scale at which the product touches the canvas
        var scale = p.fill * fitScale
        if scale > 1 {
            let nativeFill = 1 / fitScale
            if nativeFill + 1e-9 < p.minFill {
                let needed = Int((Double(max(box[2], box[3])) * scale).rounded(.up))
                throw TooSmall(reason: "the product is \(max(box[2], box[3])) px long in the master, but \(p.name) needs \(needed) px to fill \(Int(p.fill * 100))% of \(p.width)×\(p.height) and photopipe never upscales; reshoot closer or at a higher resolution, or lower export.preset.\(p.name).min_fill",
                               productPixels: max(box[2], box[3]), neededPixels: needed)
            }
            scale = 1
        }
        let sw = max(1, Int((Double(masterWidth) * scale).rounded())), sh = max(1, Int((Double(masterHeight) * scale).rounded()))
        let pw = bw * scale, ph = bh * scale
        let marginX = (cw - pw) / 2, marginY = (ch - ph) / 2
        let sideX = (cw * (1 - p.fill) / 2).rounded(), sideY = (ch * (1 - p.fill) / 2).rounded()
        var px = marginX, py = marginY
        switch p.gravity {
        case .centre: break
        case .top: py = min(sideY, marginY)
        case .bottom: py = max(ch - ph - sideY, marginY)
        case .left: px = min(sideX, marginX)
        case .right: px = max(cw - pw - sideX, marginX)
        }
        let x = Int((px - bx * scale).rounded()), y = Int((py - by * scale).rounded())
        return FitPlan(scale: scale, scaledWidth: sw, scaledHeight: sh, x: x, y: y, fill: max(pw / cw, ph / ch))
    }
}
