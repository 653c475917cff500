import Foundation
import Imaging
import PipelineCore

/// One decoded master serving every preset of an asset. Opaque presets share one flattened
/// copy per background colour; when every preset shrinks the master a lot, they all start
/// from one shared reduction instead of the full master.
final class MasterCanvas {
    let master: Image
    let productBox: [Int]?
    private var flattened: [[Int]: Image] = [:]
    private var reduced: [[Int]: (image: Image, scale: Double)] = [:]
    /// The largest scale any preset will ask for; set by `prepare`.
    private var largestScale = 1.0

    init(path: String, productBox: [Int]?) throws {
        master = try Image.open(path).inMemory()
        self.productBox = productBox
    }

    func plan(for p: ChannelPreset) throws -> FitPlan {
        try FitPlan.make(masterWidth: master.width, masterHeight: master.height, product: productBox, preset: p)
    }

    /// Tells the canvas which scales are coming, so a shared reduction can serve them all.
    func prepare(scales: [Double]) { largestScale = scales.max() ?? 1 }

    /// The preset's canvas: the master scaled by the plan, on the background, at the plan's place.
    func render(_ plan: FitPlan, preset p: ChannelPreset) throws -> Image {
        let scaled: Image
        if let bg = p.background {
            let (source, sourceScale) = try opaqueSource(bg)
            let s = plan.scale / sourceScale
            scaled = abs(s - 1) < 1e-9 ? source : try source.resized(by: s)
            return try scaled.embedded(x: plan.x, y: plan.y, width: p.width, height: p.height,
                                       background: RGB(Double(bg[0]), Double(bg[1]), Double(bg[2])))
        }
        scaled = abs(plan.scale - 1) < 1e-9 ? master : try master.resizedPremultiplied(by: plan.scale)
        return try scaled.embeddedTransparent(x: plan.x, y: plan.y, width: p.width, height: p.height)
    }

    /// The master flattened on `bg`, reduced once to the largest scale asked for when that saves work.
    private func opaqueSource(_ bg: [Int]) throws -> (Image, Double) {
        if let r = reduced[bg] { return r }
        let flat: Image
        if let f = flattened[bg] { flat = f }
        else {
            flat = master.hasAlpha ? try master.flattened(on: RGB(Double(bg[0]), Double(bg[1]), Double(bg[2]))).inMemory() : master
            flattened[bg] = flat
        }
        let entry = largestScale < 0.6 ? (try flat.resized(by: largestScale).inMemory(), largestScale) : (flat, 1.0)
        reduced[bg] = entry
        return entry
    }
}
