import Foundation
import Imaging
import PipelineCore

/// One decoded master serving every preset of an asset. Opaque presets share one flattened
/// copy per background colour; when every preset shrinks the master a lot, they all start
/// from one shared reduction instead of the full master. After `prepare` it is only read,
/// so channels may render from it on several threads.
final class MasterCanvas: @unchecked Sendable {
    let master: Image
    let productBox: [Int]?
    /// Per background colour: the flattened cut-out, or a reduction of it, and its scale.
    private var sources: [[Int]: (Image, Double)] = [:]
    /// The visible part of the master and where it sat in the master.
    private var cutout: Image
    private var origin = (x: 0, y: 0)

    init(path: String, productBox: [Int]?) throws {
        master = try Image.open(path).inMemory()
        cutout = master
        self.productBox = productBox
    }

    func plan(for p: ChannelPreset) throws -> FitPlan {
        try FitPlan.make(masterWidth: master.width, masterHeight: master.height, product: productBox, preset: p)
    }

    /// Makes the shared sources for these presets and plans, before any rendering starts: the
    /// master cut to what is visible (product and shadow; the rest is background anyway),
    /// flattened per background colour, and reduced once when every preset shrinks it a lot.
    func prepare(_ work: [(ChannelPreset, FitPlan)]) throws {
        var visible = master
        if master.hasAlpha, let b = try master.alphaBounds(), b != [0, 0, master.width, master.height] {
            visible = try master.cropped(x: b[0], y: b[1], width: b[2], height: b[3])
            origin = (b[0], b[1])
        }
        cutout = visible
        var largest: [[Int]: Double] = [:]
        for (p, plan) in work { if let bg = p.background { largest[bg] = max(largest[bg] ?? 0, plan.scale) } }
        for (bg, scale) in largest {
            let flat = visible.hasAlpha ? try visible.flattened(on: rgb(bg)).inMemory() : visible
            sources[bg] = scale < 0.6 ? (try flat.resizedCubic(by: scale).inMemory(), scale) : (flat, 1.0)
        }
    }

    /// The preset's canvas: the master scaled by the plan, on the background, at the plan's place.
    func render(_ plan: FitPlan, preset p: ChannelPreset) throws -> Image {
        let x = plan.x + Int((Double(origin.x) * plan.scale).rounded()), y = plan.y + Int((Double(origin.y) * plan.scale).rounded())
        if let bg = p.background {
            guard let (source, sourceScale) = sources[bg] else { throw StepFailure("internal", "no prepared source for \(p.name)") }
            let s = plan.scale / sourceScale
            let scaled = abs(s - 1) < 1e-9 ? source : try source.resizedCubic(by: s)
            return try scaled.embedded(x: x, y: y, width: p.width, height: p.height, background: rgb(bg))
        }
        let scaled = abs(plan.scale - 1) < 1e-9 ? cutout : try cutout.resizedPremultiplied(by: plan.scale)
        return try scaled.embeddedTransparent(x: x, y: y, width: p.width, height: p.height)
    }

    private func rgb(_ c: [Int]) -> RGB { RGB(Double(c[0]), Double(c[1]), Double(c[2])) }
}
