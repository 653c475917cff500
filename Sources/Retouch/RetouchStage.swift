import Foundation
import Imaging
import PipelineCore

/// The retouch stage, as its steps:
/// 1. orient and colour-manage to sRGB (`SourceReader`),
/// 2. model the backdrop and 3. make a coarse matte on a reduced copy (`CoarseMatte`),
/// 4. normalise colour and exposure from the backdrop (`ColourCorrection`),
/// 5. clean specks (part of the coarse matte), 6. lay the shadow (`ShadowLayer`),
/// 7. frame: crop to product and shadow, matte the edges at full size (`MasterComposer`),
/// then judge the result (`Assessment`) and write master, mask and measurements.
public enum RetouchStage {
    /// RGBA master, lossless TIFF (zstd): writes in ~40% and reads in ~55% of the time of a level-1 PNG.
    public static let masterFile = "master.tif"
    public static let maskFile = "mask.png"
    /// The master on white, small: the contact sheet's picture of the asset.
    public static let thumbFile = "thumb.jpg"
    static let thumbLongSide = 360.0

    /// Share of the product's long side kept as free margin around product and shadow in the master.
    static let marginShare = 0.03

    public static func run(original: String, assetDir: String, settings: JobSettings) throws -> MasterInfo {
        var clock = StepClock()
        let result = try process(original: original, settings: settings.retouch, maxPixels: settings.maxPixels,
                                 memoryLimitMB: settings.workerMemoryMB, clock: &clock)
        try write(result, into: assetDir, settings: settings)
        clock.lap("write")
        var record = result.record
        record.timings = clock.laps
        let signature = try? PerceptualHash.signature(result.masterImage)
        return MasterInfo(file: masterFile, width: result.master.width, height: result.master.height,
                          signature: signature, retouch: record)
    }

    public struct Output {
        public var master: PixelBuffer
        public var mask: PixelBuffer
        public var masterImage: Image
        public var record: RetouchRecord
    }

    /// Step 1 alone: the original oriented by its EXIF tag and converted to 8-bit sRGB through its
    /// ICC profile, at full size, exactly as the stage reads it.
    public static func orientedSRGB(original: String, maxPixels: Int) throws -> Image {
        try SourceReader(path: original, maxPixels: maxPixels).oriented(shrink: 1)
    }

    /// The whole stage in memory, for the daemon's worker and for `photopiped process`.
    public static func process(original: String, settings: RetouchSettings, maxPixels: Int, memoryLimitMB: Int,
                               clock: inout StepClock) throws -> Output {
        let source = try SourceReader(path: original, maxPixels: maxPixels)
        func guarded<T>(_ step: String, _ body: () throws -> T) throws -> T {
            do { return try body() }
            catch let f as StepFailure { throw f }
            catch { throw StepFailure.processing(step: step, detail: "\(error)", memoryLimitMB: memoryLimitMB) }
        }
        let small = try guarded("analysis-decode") { try source.analysisPixels(longSide: settings.analysisSize) }
        clock.lap("decode-analysis")
        let coarse = CoarseMatte(pixels: small, settings: settings)
        clock.lap("backdrop-and-coarse-matte")

        // Where the product stands, in the coarse frame.
        let cw = coarse.width, ch = coarse.height
        var bx0 = cw, by0 = ch, bx1 = -1, by1 = -1
        var sx = 0.0, sy = 0.0, count = 0.0
        for y in 0..<ch { for x in 0..<cw where coarse.labels[y * cw + x] == .product {
            bx0 = min(bx0, x); bx1 = max(bx1, x); by0 = min(by0, y); by1 = max(by1, y)
            sx += Double(x); sy += Double(y); count += 1
        } }
        if bx1 < 0 { bx0 = 0; by0 = 0; bx1 = cw - 1; by1 = ch - 1; sx = Double(cw) / 2; sy = Double(ch) / 2; count = 1 }
        let centre = (u: Float((sx / count + 0.5) / Double(cw)), v: Float((sy / count + 0.5) / Double(ch)))
        let reference = coarse.model.colour(u: centre.u, v: centre.v)
        let correction = ColourCorrection(reference: pointwiseMax(reference, SIMD3(repeating: 1e-4)), settings: settings)

        // The crop: product, its shadow as the setting will draw it, and a margin.
        let toSource = Double(source.width) / Double(cw)
        let productLong = Double(max(bx1 - bx0, by1 - by0) + 1)
        var (cx0, cy0, cx1, cy1) = (Double(bx0), Double(by0), Double(bx1 + 1), Double(by1 + 1))
        let boxW = cx1 - cx0, boxH = cy1 - cy0
        switch settings.shadow {
        case .none: break
        case .keep:
            for y in 0..<ch { for x in 0..<cw where coarse.labels[y * cw + x] == .shadow && 1 - coarse.shade[y * cw + x] >= ShadowLayer.floor {
                let (fx, fy) = (Double(x), Double(y))
                guard fx >= Double(bx0) - boxW / 2, fx <= Double(bx1) + boxW / 2, fy >= Double(by0) - boxH / 2, fy <= Double(by1) + boxH / 2 else { continue }
                cx0 = min(cx0, fx); cx1 = max(cx1, fx + 1); cy0 = min(cy0, fy); cy1 = max(cy1, fy + 1)
            } }
        case .synthesise:
            let layer = ShadowLayer.synthetic(productBox: (Float(bx0), Float(by0), Float(boxW), Float(boxH)), opacity: settings.shadowOpacity)
            if let e = layer.extent {
                cx0 = min(cx0, Double(e.x0)); cx1 = max(cx1, Double(e.x1)); cy0 = min(cy0, Double(e.y0)); cy1 = max(cy1, Double(e.y1))
            }
        }
        let margin = 2 + productLong * marginShare
        let srcX0 = max(0, Int(((cx0 - margin) * toSource).rounded(.down)))
        let srcY0 = max(0, Int(((cy0 - margin) * toSource).rounded(.down)))
        let srcX1 = min(source.width, Int(((cx1 + margin) * toSource).rounded(.up)))
        let srcY1 = min(source.height, Int(((cy1 + margin) * toSource).rounded(.up)))

        let region = try guarded("decode") {
            try source.region(x: srcX0, y: srcY0, width: srcX1 - srcX0, height: srcY1 - srcY0, maxLong: settings.masterLongSide)
        }
        clock.lap("decode-full")

        let grid = CoarseGrid(coarseWidth: cw, coarseHeight: ch, fineWidth: region.frameWidth, fineHeight: region.frameHeight)
        let composed = MasterComposer.compose(fine: region.pixels, originX: region.originX, originY: region.originY,
                                              grid: grid, coarse: coarse, gains: correction.gains) { box in
            switch settings.shadow {
            case .none: return .none
            case .keep: return .measured
            case .synthesise: return .synthetic(productBox: box, opacity: settings.shadowOpacity)
            }
        }
        clock.lap("matte-and-compose")
        let assessment = Assessment(coarse: coarse, edgeContrasts: composed.edgeContrasts, settings: settings,
                                    backdropClipped: correction.clipped, colouredUnreferenced: correction.unreferenced)

        // Backdrop pixels near the product after correction: should read as the target white.
        var near = SIMD3<Float>.zero, nearCount: Float = 0
        let reach = Int(productLong / 2)
        for y in max(0, by0 - reach)...min(ch - 1, by1 + reach) {
            for x in max(0, bx0 - reach)...min(cw - 1, bx1 + reach) where coarse.labels[y * cw + x] == .backdrop {
                near += coarse.observed[y * cw + x]; nearCount += 1
            }
        }
        let correctedBackdrop = nearCount > 0 ? near / nearCount * correction.gains : correction.reference * correction.gains
        func srgb(_ c: SIMD3<Float>) -> [Double] { [Double(SRGB.byte(c.x)), Double(SRGB.byte(c.y)), Double(SRGB.byte(c.z))] }
        let castLab = Lab.from(linear: correction.reference)
        func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

        var record = RetouchRecord(
            confidence: assessment.confidence,
            flags: assessment.flags,
            backdrop: .init(colour: srgb(correction.reference), cast: [round3(castLab.a), round3(castLab.b)],
                            fitResidual: round3(coarse.fitResidual),
                            coverage: round3(assessment.coverage),
                            coloured: correction.coloured, corrected: srgb(correctedBackdrop)),
            correction: .init(gains: [correction.gains.x, correction.gains.y, correction.gains.z].map { round3(Double($0)) },
                              exposureEV: round3(correction.exposureEV), clippedShare: round3(composed.clippedShare)),
            frame: .init(crop: [srcX0, srcY0, srcX1 - srcX0, srcY1 - srcY0], scale: round3(region.scale),
                         productBox: [composed.box.x, composed.box.y, composed.box.w, composed.box.h],
                         centroid: [round3(composed.centroid.0), round3(composed.centroid.1)],
                         margins: [Int(Double(bx0) * toSource), Int(Double(by0) * toSource),
                                   max(0, source.width - Int(Double(bx1 + 1) * toSource)), max(0, source.height - Int(Double(by1 + 1) * toSource))],
                         touches: assessment.touches),
            matte: roundedMatte(assessment.matte),
            shadow: settings.shadow.rawValue, maskFile: maskFile, timings: [:])
        record.quality = .init(sharpness: (OutlineSharpness.measure(mask: composed.mask, box: composed.box) * 10).rounded() / 10,
                               crushedShare: round3(composed.crushedShare), strayShare: (StrayParts.share(coarse) * 1e5).rounded() / 1e5)
        clock.lap("gate-measures")
        let image = try guarded("master") { try Image(composed.master) }
        return Output(master: composed.master, mask: composed.mask, masterImage: image, record: record)
    }

    static func roundedMatte(_ m: RetouchRecord.Matte) -> RetouchRecord.Matte {
        func r(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        return .init(edgeContrast: r(m.edgeContrast), lowContrastShare: r(m.lowContrastShare), productShare: r(m.productShare),
                     seeThroughShare: r(m.seeThroughShare), highlightShare: r(m.highlightShare))
    }

    /// The master on white, at most `thumbLongSide` pixels long.
    public static func thumbnail(_ master: PixelBuffer) throws -> Image {
        try Image(master.reducedOnWhite(longSide: Int(thumbLongSide)))
    }

    /// Master, mask and thumbnail, each written under a temporary name and renamed into place.
    static func write(_ output: Output, into assetDir: String, settings: JobSettings) throws {
        let pid = getpid()
        let jobs: [(String, (String) throws -> Void)] = [
            (masterFile, { try output.masterImage.saveMasterTIFF($0) }),
            (maskFile, { try Image(output.mask).savePNG($0) }),
            (thumbFile, { try thumbnail(output.master).saveJPEG($0, quality: 85) }),
        ]
        for (name, save) in jobs {
            let tmp = "\(assetDir)/.\(name).\(pid).tmp.\((name as NSString).pathExtension)"
            do { try save(tmp) }
            catch { throw StepFailure.processing(step: "write-\(name)", detail: "\(error)", memoryLimitMB: settings.workerMemoryMB) }
            guard rename(tmp, "\(assetDir)/\(name)") == 0 else {
                throw StepFailure("write_failed", "Cannot write \(name) in \(assetDir): \(String(cString: strerror(errno))).")
            }
        }
    }
}

/// Wall time per named step, in milliseconds.
public struct StepClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    public private(set) var laps: [String: Double] = [:]
    public init() {}
    public mutating func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps[name, default: 0] += (Double(now - last) / 1e6 * 10).rounded() / 10
        last = now
    }
}
