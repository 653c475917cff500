import Foundation

/// Where a generated scene goes on a channel's canvas: it fills the canvas (a scene has no
/// backdrop to pad with), cut to the canvas's shape around the product, never upscaled.
public struct ScenePlan: Sendable, Equatable {
    /// The part of the scene that is kept, in scene pixels: x, y, width, height.
    public var crop: [Int]
    /// Canvas pixels per scene pixel (≤ 1).
    public var scale: Double

    /// - Parameter focus: the product's centre in scene pixels; the cut keeps it as central as the scene allows.
    public static func make(sceneWidth: Int, sceneHeight: Int, focus: (x: Double, y: Double), preset p: ChannelPreset) throws -> ScenePlan {
        let aspect = Double(p.width) / Double(p.height)
        var w = Double(sceneWidth), h = w / aspect
        if h > Double(sceneHeight) { h = Double(sceneHeight); w = h * aspect }
        let cw = max(1, Int(w.rounded(.down))), ch = max(1, Int(h.rounded(.down)))
        let scale = Double(p.width) / Double(cw)
        if scale > 1.0001 {
            throw FitPlan.TooSmall(reason: "the scene is \(sceneWidth)×\(sceneHeight) px; \(p.name) needs \(p.width)×\(p.height) and photopipe never upscales; raise generate.long_side or use larger plates")
        }
        let x = min(max(0, Int((focus.x - Double(cw) / 2).rounded())), sceneWidth - cw)
        let y = min(max(0, Int((focus.y - Double(ch) / 2).rounded())), sceneHeight - ch)
        return ScenePlan(crop: [x, y, cw, ch], scale: min(1, scale))
    }

    /// The scene's long side that lets every preset be cut from a `plateWidth`×`plateHeight`
    /// scene without upscaling.
    public static func longSideNeeded(plateWidth: Int, plateHeight: Int, presets: [ChannelPreset]) -> Int {
        let long = Double(max(plateWidth, plateHeight)), short = Double(min(plateWidth, plateHeight))
        var needed = 0.0
        for p in presets {
            // The cut of the preset's shape from a scene of long side L, as a share of L.
            let a = Double(p.width) / Double(p.height)
            let landscape = plateWidth >= plateHeight
            let sceneW = landscape ? 1.0 : short / long, sceneH = landscape ? short / long : 1.0
            var w = sceneW, h = w / a
            if h > sceneH { h = sceneH; w = h * a }
            needed = max(needed, Double(p.width) / w)
        }
        return Int(needed.rounded(.up))
    }
}
