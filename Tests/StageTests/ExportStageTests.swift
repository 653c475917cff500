import Export
import Foundation
import Imaging
import PipelineCore
import XCTest

/// Synthetic RGBA masters with a known product box: a saturated red block and a grey shadow band under it.
struct SyntheticMaster {
    var width: Int, height: Int
    var product: [Int]   // x, y, width, height

    func write(to dir: String, name: String = "master.tif") throws -> MasterInfo {
        var px = PixelBuffer(width: width, height: height, bands: 4, fill: 0)
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ rgba: [UInt8]) {
            let row = [UInt8]((0..<w).flatMap { _ in rgba })
            for y in max(0, y0)..<min(height, y0 + h) {
                let start = (y * width + max(0, x0)) * 4
                px.data.replaceSubrange(start..<start + row.count, with: row)
            }
        }
        let (x, y, w, h) = (product[0], product[1], product[2], product[3])
        fill(x + w / 10, y + h, w * 8 / 10, min(height - y - h, max(4, h / 20)), [0, 0, 0, 60])   // soft contact shadow
        fill(x, y, w, h, [200, 30, 30, 255])
        let image = try Image(px)
        if name.hasSuffix(".tif") { try image.saveMasterTIFF("\(dir)/\(name)") } else { try image.savePNG("\(dir)/\(name)") }
        let frame = RetouchRecord.Frame(crop: [0, 0, width, height], scale: 1, productBox: product,
                                        centroid: [Double(x + w / 2), Double(y + h / 2)], margins: [0, 0, 0, 0], touches: [])
        let record = RetouchRecord(confidence: 1, flags: [], backdrop: .init(colour: [255, 255, 255], cast: [0, 0], fitResidual: 0, coverage: 0.5, coloured: false, corrected: [255, 255, 255]),
                                   correction: .init(gains: [1, 1, 1], exposureEV: 0, clippedShare: 0), frame: frame,
                                   matte: .init(edgeContrast: 50, lowContrastShare: 0, productShare: 0.3, seeThroughShare: 0, highlightShare: 0),
                                   shadow: "synthesise", maskFile: "mask.png", timings: [:])
        return MasterInfo(file: name, width: width, height: height, retouch: record)
    }

    static let tall = SyntheticMaster(width: 1500, height: 3000, product: [400, 150, 700, 2600])
    static let wide = SyntheticMaster(width: 3400, height: 1400, product: [200, 250, 3000, 800])
    static let touchingEdges = SyntheticMaster(width: 2300, height: 2000, product: [0, 300, 2300, 1400])
    static let tiny = SyntheticMaster(width: 300, height: 300, product: [50, 50, 200, 200])
}

final class ExportStageTests: XCTestCase {
    let catalog = ["asin": "B00EXAMPLE", "gtin": "4006381333931", "handle": "red-block", "title": "Red block"]

    func manifest(_ master: MasterInfo, view: Int = 1, catalog: [String: String]? = nil) -> Manifest {
        var m = Manifest(id: "SKU-1_0\(view)-abc", batch: "b", sourceName: "SKU-1_0\(view).jpg", original: "originals/b/SKU-1_0\(view).jpg",
                         sha256: "abc", bytes: 1, sku: "SKU-1", view: view, skuSource: "name", arrivedAt: Date())
        m.master = master
        m.catalog = catalog ?? self.catalog
        return m
    }

    /// Bounding box of the red product pixels in an 8-bit RGB(A) image.
    func productBox(_ path: String) throws -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        let px = try Image.open(path).pixels()
        var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        for y in 0..<px.height {
            for x in 0..<px.width {
                let i = (y * px.width + x) * px.bands
                if Int(px.data[i]) - Int(px.data[i + 1]) > 80 { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) }
            }
        }
        return (x0, y0, x1, y1)
    }

    func testEveryBuiltInPresetPassesItsChecksOnTallWideAndEdgeTouchingMasters() throws {
        let s = try StageScratch()
        let presets = BuiltinPresets.all.filter { $0.name != "default" }
        for (label, shape) in [("tall", SyntheticMaster.tall), ("wide", .wide), ("touching", .touchingEdges)] {
            for view in [1, 2] {
                let dir = try s.assetDir("\(label)-\(view)")
                let m = manifest(try shape.write(to: dir), view: view)
                let r = try ExportStage.run(assetDir: dir, manifest: m, presets: presets)
                XCTAssertEqual(r.issues, [], "\(label) view \(view)")
                let expected = presets.filter { $0.takes(view: view) }
                XCTAssertEqual(Set(r.outputs.map(\.channel)), Set(expected.map(\.name)), "\(label) view \(view)")
                for o in r.outputs {
                    let p = expected.first { $0.name == o.channel }!
                    let path = "\(dir)/\(o.path)"
                    XCTAssertEqual(OutputVerifier.check(path: path, preset: p), [], "\(label) \(o.channel)")
                    XCTAssertEqual(o.sha256, try FileDigest.of(path).sha256)
                    XCTAssertLessThanOrEqual(o.bytes, p.maxBytes)
                    let box = try productBox(path)
                    let measured = max(Double(box.x1 - box.x0 + 1) / Double(p.width), Double(box.y1 - box.y0 + 1) / Double(p.height))
                    XCTAssertEqual(measured, p.fill, accuracy: 0.01, "\(label) \(o.channel): fill")
                    XCTAssertEqual(Double(box.x0 + box.x1) / 2, Double(p.width - 1) / 2, accuracy: Double(p.width) * 0.01, "\(label) \(o.channel): centred")
                    XCTAssertEqual(Double(box.y0 + box.y1) / 2, Double(p.height - 1) / 2, accuracy: Double(p.height) * 0.01, "\(label) \(o.channel): centred")
                }
                let names = r.outputs.map { ($0.path as NSString).lastPathComponent }
                if view == 1 { XCTAssertTrue(names.contains("B00EXAMPLE.MAIN.jpg"), "\(names)") }
                else { XCTAssertTrue(names.contains("B00EXAMPLE.PT01.jpg"), "\(names)") }
                XCTAssertTrue(names.contains("04006381333931_\(view).jpg"), "walmart by GTIN-14: \(names)")
                XCTAssertTrue(names.contains("red-block-\(view).jpg"), "shopify by handle: \(names)")
            }
        }
    }

    func testTinyProductIsAnExceptionPerChannelButPaddedWhereMinFillAllows() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("tiny")
        let m = manifest(try SyntheticMaster.tiny.write(to: dir))
        let r = try ExportStage.run(assetDir: dir, manifest: m, presets: BuiltinPresets.all)
        XCTAssertEqual(r.outputs.map(\.channel), ["default"], "only the preset with min_fill 0 exports it")
        XCTAssertEqual(r.outputs.first?.fill ?? 0, 0.1, accuracy: 0.001, "200 px on 2000: native size, not upscaled")
        let refused = r.issues.filter { $0.code == "too_small" }.map(\.channel)
        XCTAssertEqual(Set(refused), Set(BuiltinPresets.all.filter { $0.name != "default" && $0.takes(view: 1) }.map(\.name)))
        XCTAssertTrue(r.issues.allSatisfy { $0.message.contains("never upscales") })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/out").sorted(), ["default"], "no file for refused channels")
    }

    func testSameMasterAndPresetGiveIdenticalBytes() throws {
        let s = try StageScratch()
        var shas: [[String]] = []
        for run in 0..<2 {
            let dir = try s.assetDir("det-\(run)")
            var m = manifest(try SyntheticMaster.wide.write(to: dir))
            m.descriptive = DescriptiveMetadata()
            m.descriptive?.copyright = "© 2026 Studio North"
            let r = try ExportStage.run(assetDir: dir, manifest: m, presets: BuiltinPresets.all)
            shas.append(r.outputs.map(\.sha256))
            if run == 0 { Thread.sleep(forTimeInterval: 1.1) }   // a timestamp in the file would differ now
        }
        XCTAssertEqual(shas[0].count, 9)
        XCTAssertEqual(shas[0], shas[1])
    }

    func testOnlyRightsMetadataTravelsAndGPSAndSerialsAreStripped() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("meta")
        var info = try SyntheticMaster.wide.write(to: dir)
        // A master that (against the rules) carries location and a body serial number.
        let tainted = try Image.open("\(dir)/master.tif").inMemory()
        tainted.setText("exif-ifd3-GPSLatitudeRef", "N (N, ASCII, 2 components, 2 bytes)")
        tainted.setText("exif-ifd2-BodySerialNumber", "0123456 (0123456, ASCII, 8 components, 8 bytes)")
        try tainted.saveJPEG("\(dir)/master.jpg", quality: 95, strip: false)
        let check = try Image.open("\(dir)/master.jpg")
        XCTAssertTrue(check.hasField(containing: "exif-ifd3-"), "the test master really has GPS")
        XCTAssertTrue(check.hasField(containing: "SerialNumber"))
        info.file = "master.jpg"
        var m = manifest(info)
        m.descriptive = DescriptiveMetadata()
        m.descriptive?.creator = "Ann Smith"
        m.descriptive?.copyright = "© 2026 Studio North (all rights)"
        m.descriptive?.description = "Red <block> & friends"
        m.descriptive?.keywords = ["secret-client"]
        let r = try ExportStage.run(assetDir: dir, manifest: m, presets: [BuiltinPresets.named("ebay")!])
        XCTAssertEqual(r.issues, [])
        let out = try Image.open("\(dir)/\(r.outputs[0].path)")
        XCTAssertFalse(out.hasField(containing: "exif-ifd3-"), "no GPS")
        XCTAssertFalse(out.hasField(containing: "SerialNumber"), "no serial")
        XCTAssertTrue(out.hasSRGBProfile)
        XCTAssertTrue(out.text("exif-ifd0-Artist")?.hasPrefix("Ann Smith") == true, out.text("exif-ifd0-Artist") ?? "none")
        XCTAssertTrue(out.text("exif-ifd0-Copyright")?.contains("2026 Studio North [all rights]") == true, out.text("exif-ifd0-Copyright") ?? "none")
        let xmp = String(decoding: try XCTUnwrap(out.blob("xmp-data")), as: UTF8.self)
        XCTAssertTrue(xmp.contains("© 2026 Studio North (all rights)"), xmp)
        XCTAssertTrue(xmp.contains("Red &lt;block&gt; &amp; friends"), xmp)
        XCTAssertFalse(xmp.contains("secret-client"), "keywords do not travel")
        var none = BuiltinPresets.named("ebay")!
        none.metadata = .none
        let bare = try ExportStage.run(assetDir: dir, manifest: m, presets: [none])
        let bareImage = try Image.open("\(dir)/\(bare.outputs[0].path)")
        XCTAssertNil(bareImage.text("exif-ifd0-Artist"))
        XCTAssertNil(bareImage.blob("xmp-data"))
        XCTAssertTrue(bareImage.hasSRGBProfile, "the profile stays under every policy")
    }

    func testByteCapLowersQualityToTheFloorThenRefuses() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("cap")
        // A noisy master compresses badly.
        var state: UInt32 = 12345
        let bytes = (0..<1800 * 1800 * 3).map { _ -> UInt8 in state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
        try Image(PixelBuffer(width: 1800, height: 1800, bands: 3, data: bytes)).saveMasterTIFF("\(dir)/master.tif")
        let info = MasterInfo(file: "master.tif", width: 1800, height: 1800)
        var p = BuiltinPresets.named("ebay")!
        p.width = 1000; p.height = 1000; p.fill = 0.9; p.minFill = 0.9
        let uncapped = try ExportStage.run(assetDir: dir, manifest: manifest(info), presets: [p]).outputs[0]
        p.maxBytes = uncapped.bytes * 2 / 3
        let capped = try ExportStage.run(assetDir: dir, manifest: manifest(info), presets: [p])
        XCTAssertEqual(capped.issues, [])
        XCTAssertLessThan(capped.outputs[0].quality ?? 100, p.quality)
        XCTAssertLessThanOrEqual(capped.outputs[0].bytes, p.maxBytes)
        p.maxBytes = 1_000
        p.qualityFloor = 80
        let refused = try ExportStage.run(assetDir: dir, manifest: manifest(info), presets: [p])
        XCTAssertEqual(refused.outputs, [])
        XCTAssertEqual(refused.issues.map(\.code), ["over_byte_cap"])
        XCTAssertTrue(refused.issues[0].message.contains("quality 80"), refused.issues[0].message)
    }

    func testTransparentPresetsKeepAlphaInPNGWebPAndAVIF() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("alpha")
        let m = manifest(try SyntheticMaster.tall.write(to: dir))
        let presets: [ChannelPreset] = ChannelPreset.Format.allCases.filter(\.supportsAlpha).map { f in
            var p = BuiltinPresets.named("default")!
            p.name = "cut-\(f.rawValue)"; p.format = f; p.background = nil; p.width = 800; p.height = 1000; p.minFill = p.fill
            p.nameTemplate = "{sku}-{nn}.{ext}"
            return p
        }
        let r = try ExportStage.run(assetDir: dir, manifest: m, presets: presets)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(r.outputs.map { ($0.path as NSString).pathExtension }, ["png", "webp", "avif"])
        for o in r.outputs {
            let img = try Image.open("\(dir)/\(o.path)")
            XCTAssertEqual(img.bands, 4, o.channel)
            XCTAssertEqual(try img.pixel(x: 2, y: 2).last, 0, "\(o.channel): the corner is transparent")
            XCTAssertEqual(try img.pixel(x: 400, y: 500).last ?? 0, 255, accuracy: 2, "\(o.channel): the product is opaque")
        }
    }

    func testAReExportRemovesFilesOfChannelsNoLongerWritten() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("stale")
        let m = manifest(try SyntheticMaster.wide.write(to: dir))
        _ = try ExportStage.run(assetDir: dir, manifest: m, presets: [BuiltinPresets.named("ebay")!, BuiltinPresets.named("google")!])
        let r = try ExportStage.run(assetDir: dir, manifest: m, presets: [BuiltinPresets.named("google")!])
        XCTAssertEqual(r.outputs.map(\.channel), ["google"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/out/ebay"), [])
    }

    func testHostileCatalogueCannotEscapeTheChannelFolder() throws {
        let s = try StageScratch()
        let dir = try s.assetDir("hostile")
        let hostile = ["handle": "../../../tmp/evil", "asin": "B00/../../x", "gtin": "../1", "title": "x\ny",
                       "offer_id": String(repeating: "A", count: 5000)]
        let m = manifest(try SyntheticMaster.wide.write(to: dir), catalog: hostile)
        var google = BuiltinPresets.named("google")!
        google.nameTemplate = "{offer_id}-{n}.{ext}"
        let r = try ExportStage.run(assetDir: dir, manifest: m, presets: [BuiltinPresets.named("amazon-main")!, BuiltinPresets.named("shopify")!, google])
        for o in r.outputs {
            let parts = o.path.split(separator: "/")
            XCTAssertEqual(parts.count, 3, o.path)
            XCTAssertEqual(parts[1], Substring(o.channel))
            XCTAssertFalse(parts[2].hasPrefix("."))
        }
        XCTAssertEqual(r.outputs.first { $0.channel == "shopify" }?.path, "out/shopify/tmp-evil-1.jpg")
        XCTAssertLessThanOrEqual(r.outputs.first { $0.channel == "google" }?.path.count ?? 999, 20 + NameTemplate.maxLength)
        XCTAssertEqual(r.issues.map(\.channel), ["amazon-main"], "an ASIN with slashes breaks Amazon's rules")
        XCTAssertEqual(r.issues.first?.code, "bad_name")
    }
}
