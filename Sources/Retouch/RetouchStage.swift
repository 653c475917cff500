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
        /// The two opinions at the analysis size, for calibration (`photopiped process` writes them):
        /// keying's product (255) and the network's probability (0–255, nil when it did not run).
        public var keyingMap: PixelBuffer
        public var networkMap: PixelBuffer?
    }

    /// Step 1 alone: the original oriented by its EXIF tag and converted to 8-bit sRGB through its
    /// ICC profile, at full size, exactly as the stage reads it.
    public static func orientedSRGB(original: String, maxPixels: Int) throws -> Image {
        try SourceReader(path: original, maxPixels: maxPixels).oriented(shrink: 1)
    }

    /// As `orientedSRGB`, for a picture at most `width` wide: a JPEG is decoded with the largest
    /// shrink-on-load that still leaves `width` pixels across (the caller shrinks the rest).
    public static func orientedSRGB(original: String, maxPixels: Int, atLeastWidth width: Int) throws -> Image {
        let source = try SourceReader(path: original, maxPixels: maxPixels)
        return try source.oriented(shrink: SourceReader.shrink(side: source.width, needed: width))
    }

    /// The whole stage in memory, for the daemon's worker and for `photopiped process`.
    public static func process(original: String, settings: RetouchSettings, maxPixels: Int, memoryLimitMB: Int,
                               clock: inout StepClock) throws -> Output {
        let source = try SourceReader(path: original, maxPixels: maxPixels)
        let small = try guarded("analysis-decode", memoryLimitMB) { try source.analysisPixels(longSide: settings.analysisSize) }
        clock.lap("decode-analysis")
        // The network runs beside keying and the keying cut-out; its opinion is needed only after.
        let network = try NetworkRun.start(small, settings: settings, memoryLimitMB: memoryLimitMB)
        var coarse = CoarseMatte(pixels: small, settings: settings)
        clock.lap("backdrop-and-coarse-matte")
        var pass = try CutOut(source: source, coarse: coarse, settings: settings, probability: nil, memoryLimitMB: memoryLimitMB, clock: &clock)
        let opinion = try network?.wait()
        clock.lap("network-wait")

        let keyingMap = PixelBuffer(width: coarse.width, height: coarse.height, bands: 1, data: coarse.labels.map { $0 == .product ? 255 : 0 })
        let networkMap = opinion.map { PixelBuffer(width: coarse.width, height: coarse.height, bands: 1, data: $0.map { UInt8(($0 * 255).rounded()) }) }
        var winner = MatteFusion.Winner.keying
        var agreement: Double?
        var flags = pass.assessment.flags
        var confidence = pass.assessment.confidence
        if let probability = opinion {
            let pruned = MatteFusion.pruned(keying: coarse.labels, probability: probability, width: coarse.width, height: coarse.height)
            if pruned != coarse.labels {
                coarse.adopt(labels: pruned)
                pass = try CutOut(source: source, coarse: coarse, settings: settings, probability: nil, memoryLimitMB: memoryLimitMB, clock: &clock)
            }
            let a = MatteFusion.agreement(keying: coarse.labels.map { $0 == .product },
                                          network: probability.map { $0 >= MatteFusion.productLevel },
                                          sureBackdrop: coarse.sureBackdrop, width: coarse.width, height: coarse.height)
            agreement = (a * 1000).rounded() / 1000
            let disputed = MatteFusion.disputedOpenings(keying: coarse.labels, probability: probability, width: coarse.width, height: coarse.height)
            winner = MatteFusion.winner(keyingFlags: pass.assessment.flags)
            if winner == .network {
                coarse.adopt(labels: MatteFusion.networkLabels(probability: probability, keying: coarse.labels))
                pass = try CutOut(source: source, coarse: coarse, settings: settings, probability: probability,
                                  memoryLimitMB: memoryLimitMB, clock: &clock)
            }
            flags = MatteFusion.flags(pass.assessment.flags, winner: winner, agreement: a, minimum: settings.minMatteAgreement,
                                      disputedOpenings: disputed)
            confidence = MatteFusion.confidence(keying: pass.assessment.confidence, flags: flags, winner: winner, agreement: a)
        }
        let assessment = pass.assessment, correction = pass.correction, composed = pass.composed
        let cw = coarse.width, ch = coarse.height
        let (bx0, by0, bx1, by1) = pass.productBounds

        // Backdrop pixels near the product after correction: should read as the target white.
        var near = SIMD3<Float>.zero, nearCount: Float = 0
        let reach = Int(pass.productLong / 2)
        for y in max(0, by0 - reach)...min(ch - 1, by1 + reach) {
            for x in max(0, bx0 - reach)...min(cw - 1, bx1 + reach) where coarse.labels[y * cw + x] == .backdrop {
                near += coarse.observed[y * cw + x]; nearCount += 1
            }
        }
        let correctedBackdrop = nearCount > 0 ? near / nearCount * correction.gains : correction.reference * correction.gains
        func srgb(_ c: SIMD3<Float>) -> [Double] { [Double(SRGB.byte(c.x)), Double(SRGB.byte(c.y)), Double(SRGB.byte(c.z))] }
        let castLab = Lab.from(linear: correction.reference)
        func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        let toSource = pass.toSource
        let crop = pass.crop
        var matte = roundedMatte(assessment.matte)
        matte.winner = opinion == nil ? nil : winner.rawValue
        matte.agreement = agreement
        matte.networkMs = network.map { ($0.milliseconds * 10).rounded() / 10 }

        var record = RetouchRecord(
            confidence: (confidence * 1000).rounded() / 1000,
            flags: Assessment.shown(flags),
            backdrop: .init(colour: srgb(correction.reference), cast: [round3(castLab.a), round3(castLab.b)],
                            fitResidual: round3(coarse.fitResidual),
                            coverage: round3(assessment.coverage),
                            coloured: correction.coloured, corrected: srgb(correctedBackdrop)),
            correction: .init(gains: [correction.gains.x, correction.gains.y, correction.gains.z].map { round3(Double($0)) },
                              exposureEV: round3(correction.exposureEV), clippedShare: round3(composed.clippedShare),
                              productDeltaE: (pass.productDeltaE * 100).rounded() / 100,
                              limit: correction.uncorrected ? "none" : (correction.capped ? "capped" : (correction.highlightsHeld ? "highlights" : nil))),
            frame: .init(crop: [crop.x0, crop.y0, crop.x1 - crop.x0, crop.y1 - crop.y0], scale: round3(pass.region.scale),
                         productBox: [composed.box.x, composed.box.y, composed.box.w, composed.box.h],
                         centroid: [round3(composed.centroid.0), round3(composed.centroid.1)],
                         margins: [Int(Double(bx0) * toSource), Int(Double(by0) * toSource),
                                   max(0, source.width - Int(Double(bx1 + 1) * toSource)), max(0, source.height - Int(Double(by1 + 1) * toSource))],
                         touches: assessment.touches),
            matte: matte,
            shadow: settings.shadow.rawValue, maskFile: maskFile, timings: [:])
        record.quality = .init(sharpness: (OutlineSharpness.measure(mask: composed.mask, box: composed.box) * 10).rounded() / 10,
                               crushedShare: round3(composed.crushedShare), strayShare: (StrayParts.share(coarse) * 1e5).rounded() / 1e5)
        clock.lap("gate-measures")
        let image = try guarded("master", memoryLimitMB) { try Image(composed.master) }
        return Output(master: composed.master, mask: composed.mask, masterImage: image, record: record,
                      keyingMap: keyingMap, networkMap: networkMap)
    }

    static func guarded<T>(_ step: String, _ memoryLimitMB: Int, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let f as StepFailure { throw f }
        catch { throw StepFailure.processing(step: step, detail: "\(error)", memoryLimitMB: memoryLimitMB) }
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
