import ArgumentParser
import Foundation
import Generate
import Imaging
import PipelineCore

/// Measures `RedrawnFidelity` on stand-ins for on-model outputs made from real product photographs:
/// ones a faithful generator could return (the product redrawn a little moved, smaller, darker, warmer,
/// re-encoded) and ones it must not (recoloured, rescaled, stretched), so the redrawn gates' defaults
/// can be checked against both.
struct CalibrateRedrawn: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calibrate-redrawn",
        abstract: "Measure the redrawn-product figures (colour ΔE2000, shape IoU) on faithful and altered outputs of real photos.")
    @Option(help: "Folder of product photos NAME.jpg with masks NAME.mask.png.") var photos = "Tests/Fixtures/real-photos"
    @Option(help: "Folder of scene plates used as backgrounds.") var plates = "examples/plates"
    @Option(help: "Canvas side in pixels.") var side = 1000
    @Option(help: "Colour limit to judge by (ΔE2000).") var maxDeltaE = GenerateSettings.Rule.defaultRedrawnMaxDeltaE
    @Option(help: "Shape limit to judge by (IoU).") var minShapeIoU = GenerateSettings.Rule.defaultRedrawnMinShapeIoU

    func run() throws {
        try Vips.start(threads: 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: photos)
            .filter { $0.hasSuffix(".jpg") && FileManager.default.fileExists(atPath: "\(photos)/\(($0 as NSString).deletingPathExtension).mask.png") }.sorted()
        let backgrounds = try FileManager.default.contentsOfDirectory(atPath: plates).filter { $0.hasSuffix(".jpg") }.sorted()
            .map { try Self.background("\(plates)/\($0)", side: side) }
        guard !names.isEmpty, !backgrounds.isEmpty else { throw ValidationError("no photos with masks in \(photos), or no plates in \(plates)") }
        print("photos: \(names.count) from \(photos); backgrounds: \(backgrounds.count) plates; canvas \(side)×\(side); limits ΔE2000 ≤ \(maxDeltaE), IoU ≥ \(minShapeIoU)")
        print("photo\tcase\tkind\tdeltaE\tIoU\tverdict")
        var figures: [String: [(Double, Double)]] = [:]
        var held: [String: Int] = [:]
        for (k, name) in names.enumerated() {
            let stem = (name as NSString).deletingPathExtension
            let product = try Self.product(photo: "\(photos)/\(name)", mask: "\(photos)/\(stem).mask.png")
            let placement = try ExternalCanvas.placement(product: product, side: side)
            let placed = try PlacedProduct.make(product, placement: placement)
            let background = backgrounds[k % backgrounds.count]
            for c in RedrawnCase.all {
                let jpeg = try Image(RedrawnCase.render(placed, c, over: background)).jpegRoundTrip(quality: 90)
                let r = RedrawnFidelity.measure(output: jpeg, product: placed)
                let passes = r.meanDeltaE <= maxDeltaE && r.shapeIoU >= minShapeIoU
                figures[c.name, default: []].append((r.meanDeltaE, r.shapeIoU))
                if !passes { held[c.name, default: 0] += 1 }
                print("\(stem)\t\(c.name)\t\(c.faithful ? "faithful" : "altered")\t\(String(format: "%.2f", r.meanDeltaE))\t\(String(format: "%.3f", r.shapeIoU))\t\(passes ? "passes" : "held")")
            }
        }
        print("\ncase\tkind\tdeltaE min/median/max\tIoU min/median/max\theld")
        for c in RedrawnCase.all {
            let f = figures[c.name] ?? []
            func spread(_ v: [Double], _ format: String) -> String {
                let s = v.sorted()
                return [s.first ?? 0, s[s.count / 2], s.last ?? 0].map { String(format: format, $0) }.joined(separator: "/")
            }
            print("\(c.name)\t\(c.faithful ? "faithful" : "altered")\t\(spread(f.map(\.0), "%.2f"))\t\(spread(f.map(\.1), "%.3f"))\t\(held[c.name] ?? 0)/\(f.count)")
        }
        let faithful = RedrawnCase.all.filter(\.faithful), altered = RedrawnCase.all.filter { !$0.faithful }
        let falseHolds = faithful.reduce(0) { $0 + (held[$1.name] ?? 0) }, caught = altered.reduce(0) { $0 + (held[$1.name] ?? 0) }
        print("faithful outputs held: \(falseHolds)/\(faithful.count * names.count); altered outputs held: \(caught)/\(altered.count * names.count)")
        Self.sweep(figures)
    }

    /// How many of each kind other limits would hold, to see where the defaults sit.
    static func sweep(_ figures: [String: [(Double, Double)]]) {
        print("\nmax_dE\tmin_IoU\tfaithful held\taltered held\tshape-altered held by shape alone")
        let shapeCases = RedrawnCase.all.filter { !$0.faithful && ($0.scaleX != 1 || $0.scaleY != 1) }.map(\.name)
        for de in [2.5, 3.0, 4.0] { for iou in [0.65, 0.7, 0.75, 0.8, 0.85] {
            func held(_ kind: Bool) -> (Int, Int) {
                let f = RedrawnCase.all.filter { $0.faithful == kind }.flatMap { figures[$0.name] ?? [] }
                return (f.filter { $0.0 > de || $0.1 < iou }.count, f.count)
            }
            let shapes = shapeCases.flatMap { figures[$0] ?? [] }
            let (fh, fn) = held(true), (ah, an) = held(false)
            print("\(de)\t\(iou)\t\(fh)/\(fn)\t\(ah)/\(an)\t\(shapes.filter { $0.1 < iou }.count)/\(shapes.count)")
        } }
    }

    /// A photograph and its mask as a master: RGBA with the mask as alpha, the box from the mask.
    static func product(photo: String, mask: String) throws -> MasterProduct {
        let rgb = try Image.open(photo).toSRGB8().pixels()
        let m = try Image.open(mask).pixels()
        var rgba = PixelBuffer(width: rgb.width, height: rgb.height, bands: 4), alpha = PixelBuffer(width: rgb.width, height: rgb.height, bands: 1)
        var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        for y in 0..<rgb.height { for x in 0..<rgb.width {
            let i = y * rgb.width + x, a = m.data[i * m.bands]
            for c in 0..<3 { rgba.data[i * 4 + c] = rgb.data[i * rgb.bands + c] }
            rgba.data[i * 4 + 3] = a
            alpha.data[i] = a
            if a >= 128 { x0 = min(x0, x); y0 = min(y0, y); x1 = max(x1, x); y1 = max(y1, y) }
        } }
        guard x1 >= x0 else { throw ValidationError("\(mask) marks no product") }
        return MasterProduct(master: try Image(rgba), mask: try Image(alpha), productBox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1])
    }

    /// A plate enlarged or reduced to cover the canvas and cut square from its middle.
    static func background(_ path: String, side: Int) throws -> PixelBuffer {
        let plate = try Image.open(path).toSRGB8()
        let scaled = try plate.resized(by: Double(side) / Double(min(plate.width, plate.height)))
        return try scaled.cropped(x: (scaled.width - side) / 2, y: (scaled.height - side) / 2,
                                  width: min(side, scaled.width), height: min(side, scaled.height)).pixels()
    }
}

extension Image {
    /// The pixels as a generator's JPEG would bring them back.
    func jpegRoundTrip(quality: Int) throws -> PixelBuffer {
        let path = NSTemporaryDirectory() + "ppquality-redrawn-\(getpid()).jpg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try saveJPEG(path, quality: quality)
        return try Image.open(path).pixels()
    }
}
