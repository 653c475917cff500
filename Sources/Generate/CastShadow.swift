import Foundation
import PipelineCore

/// The product's shadow thrown on the floor by the plate's key light: the silhouette laid down along the
/// light's direction (a point h pixels above the base lands h·(a, b) from the base), fading and
/// softening with height. `b` is the floor's depth in the picture: it is never quite zero, since a
/// light from the side still throws its shadow a little back or forward on a floor seen from above.
enum CastShadow {
    /// How much a length on the floor toward the camera shrinks in the picture (a set seen at ~20° from above).
    static let floorForeshortening = 0.35
    static let minimumDepth = 0.05
    /// The shadow is soft, so it is computed on coarse cells and blurred: cells of about a third of the
    /// blur's sigma, between 2 and 16 output pixels.
    static func step(sigma: Double) -> Int { min(16, max(2, Int(sigma / 3))) }

    /// Floor displacement per pixel of height: (a, b) in output pixels.
    static func direction(_ light: ScenePlate.Light) -> (a: Double, b: Double) {
        let az = light.azimuth * .pi / 180, reach = 1 / tan(light.elevation * .pi / 180)
        var b = -cos(az) * floorForeshortening * reach
        if abs(b) < minimumDepth { b = b < 0 ? -minimumDepth : minimumDepth }
        return (-sin(az) * reach, b)
    }

    /// The shadow's opacity (0–1) over the output, or nil when the light casts none.
    static func map(_ product: PlacedProduct, placement: VariantPlacement, light: ScenePlate.Light,
                    height: Double, outputWidth: Int, outputHeight: Int) -> CoarseMap? {
        guard light.shadowOpacity > 0, let box = product.opaqueBounds() else { return nil }
        let (a, b) = direction(light)
        let baseY = placement.contact[1]
        let sigma = (0.01 + 0.06 * light.softness) * height
        // A shadow is sharp where it leaves the base and soft far from it (the penumbra widens with the
        // distance to what casts it): one blur of a quarter of `sigma` at the base, `sigma` at the tip.
        let near = max(1.5, sigma / 4)
        let step = CastShadow.step(sigma: near)
        let pad = 3 * sigma + Double(step)
        let tipX = [Double(box.x0) + height * a, Double(box.x1) + height * a], tipY = baseY + height * b
        let x0 = max(0, Int((min(Double(box.x0), tipX[0]) - pad).rounded(.down)))
        let x1 = min(outputWidth, Int((max(Double(box.x1), tipX[1]) + pad).rounded(.up)))
        let y0 = max(0, Int((min(baseY, tipY) - pad).rounded(.down)))
        let y1 = min(outputHeight, Int((max(baseY, tipY) + pad).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return nil }
        let w = (x1 - x0 + step - 1) / step, h = (y1 - y0 + step - 1) / step
        var values = [Float](repeating: 0, count: w * h)
        // Each cell averages n×n points, at most 4 pixels apart, so a thin leg is not missed between them.
        let n = min(4, max(1, step / 3))
        for cy in 0..<h { for cx in 0..<w {
            var sum: Float = 0
            for sy in 0..<n { for sx in 0..<n {
                let y = Double(y0 + cy * step) + (Double(sy) + 0.5) * Double(step) / Double(n)
                let rise = (y - baseY) / b            // height above the floor of the point that lands here
                guard rise >= 0, rise <= height else { continue }
                let x = Double(x0 + cx * step) + (Double(sx) + 0.5) * Double(step) / Double(n)
                let alpha = product.alpha(Int((x - rise * a).rounded(.down)), Int((baseY - rise).rounded(.down)))
                if alpha > 0 { sum += Float(alpha) / 255 * Float(1 - 0.6 * rise / height) }
            } }
            values[cy * w + cx] = sum / Float(n * n)
        } }
        let sharp = Blur.gaussian(values, width: w, height: h, sigma: Float(near / Double(step)))
        let soft = Blur.gaussian(values, width: w, height: h, sigma: Float(sigma / Double(step)))
        var mixed = [Float](repeating: 0, count: w * h)
        for cy in 0..<h {
            let rise = (Double(y0 + cy * step) + Double(step) / 2 - baseY) / b
            let t = Float(min(1, max(0, rise / height)))
            for cx in 0..<w { let i = cy * w + cx; mixed[i] = min(1, sharp[i] * (1 - t) + soft[i] * t) * Float(light.shadowOpacity) }
        }
        return CoarseMap(x0: x0, y0: y0, step: step, width: w, height: h, values: mixed)
    }
}
