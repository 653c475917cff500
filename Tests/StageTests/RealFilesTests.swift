import Foundation
import Imaging
import Ingest
import PipelineCore
import Retouch
import XCTest

/// Real files written by cameras and by other software (piexif's and Pillow's test images,
/// fetched by scripts/fetch-real-images.sh, which scripts/test.sh runs first).
final class RealFilesTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.cache/real-images").standardized.path

    override func setUpWithError() throws { try Vips.start() }

    func real(_ sub: String) throws -> String {
        let d = "\(Self.dir)/\(sub)"
        guard FileManager.default.fileExists(atPath: "\(Self.dir)/.complete") else {
            throw XCTSkip("real images not fetched: run scripts/fetch-real-images.sh")
        }
        return d
    }

    func testEveryMakersFileYieldsMakeModelAndCaptureTime() throws {
        let dir = try real("piexif")
        let makers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("r_") }.sorted()
        XCTAssertEqual(makers.count, 8, "eight makers: \(makers)")
        for name in makers {
            let r = try IngestProbe.run(path: "\(dir)/\(name)", maxPixels: 200_000_000)
            XCTAssertNil(r.failure, name)
            let cam = try XCTUnwrap(r.camera, name)
            XCTAssertNotNil(cam.make, "\(name): make")
            XCTAssertNotNil(cam.model, "\(name): model")
            XCTAssertNotNil(cam.captureTime, "\(name): capture time")
            print("measured: \(name): \(cam.make ?? "-") / \(cam.model ?? "-") / \(cam.captureTime ?? "-") / f\(cam.fNumber.map { String($0) } ?? "-") iso \(cam.iso.map { String($0) } ?? "-") ignored \(cam.ignored)")
            XCTAssertEqual(cam.ignored, [], "\(name): a sound camera file raises no structural alarm")
        }
    }

    /// Pillow's hopper in orientations 2–8 comes out as the orientation-1 file does, in JPEG and in TIFF.
    func testEveryOrientationComesOutUpright() throws {
        try assertUpright(reference: "hopper.jpg") { "hopper_orientation_\($0).jpg" }
        try assertUpright(reference: "g4_orientation_1.tif") { "g4_orientation_\($0).tif" }
    }

    func assertUpright(reference referenceName: String, _ file: (Int) -> String) throws {
        let dir = try real("pillow")
        let want = try RetouchStage.orientedSRGB(original: "\(dir)/\(referenceName)", maxPixels: 1 << 30)
        // Control: orientation 3 read as stored (not turned) must differ, or this comparison proves nothing.
        let stored = try Image.open("\(dir)/\(file(3))").toSRGB8()
        XCTAssertGreaterThan(try worstPatch(stored, want), 3, "control for \(file(3))")
        for o in 2...8 {
            let name = file(o)
            XCTAssertEqual(try Image.open("\(dir)/\(name)").orientation, o, name)
            let got = try RetouchStage.orientedSRGB(original: "\(dir)/\(name)", maxPixels: 1 << 30)
            XCTAssertEqual([got.width, got.height], [want.width, want.height], name)
            let worst = try worstPatch(got, want)
            print(String(format: "measured: %@ worst patch ΔE76 against orientation 1: %.2f", name, worst))
            XCTAssertLessThan(worst, 3, name)
        }
    }

    /// Largest ΔE76 between the mean colours of matching cells of a 4×4 grid.
    func worstPatch(_ got: Image, _ want: Image) throws -> Double {
        var worst = 0.0
        let w = want.width / 4, h = want.height / 4
        for gy in 0..<4 { for gx in 0..<4 {
            let a = try got.cropped(x: gx * w, y: gy * h, width: w, height: h).bandMeans()
            let b = try want.cropped(x: gx * w, y: gy * h, width: w, height: h).bandMeans()
            worst = max(worst, Colour.deltaE76(Array(a.prefix(3)), Array(b.prefix(3))))
        } }
        return worst
    }

    /// Files with broken, hostile or unusual metadata either process or fail with a reason; nothing crashes.
    func testBrokenMetadataIsSurvived() throws {
        let dir = try real("pillow")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.contains("exif") || $0.contains("xmp") || $0.contains("iptc") || $0.contains("icc") || $0.contains("orientation")
        }.sorted()
        XCTAssertGreaterThan(names.count, 20)
        var processed = 0, refused: [String: String] = [:]
        for name in names {
            let r = try IngestProbe.run(path: "\(dir)/\(name)", maxPixels: 200_000_000)
            if let f = r.failure { refused[name] = f.code; XCTAssertGreaterThan(f.message.count, 20); continue }
            let s = try StageScratch()
            do {
                _ = try RetouchStage.run(original: "\(dir)/\(name)", assetDir: try s.assetDir("a"), settings: s.settings())
                processed += 1
            } catch let f as StepFailure {
                refused[name] = f.code
                XCTAssertGreaterThan(f.message.count, 20)
            }
        }
        print("measured: \(processed) of \(names.count) metadata-heavy files processed; refused with a reason: \(refused)")
        XCTAssertGreaterThan(processed, names.count / 2)
    }
}

final class DescriptiveMetadataTests: XCTestCase {
    override func setUpWithError() throws { try Vips.start() }

    func pillow(_ name: String) throws -> Image {
        let path = "\(RealFilesTests.dir)/pillow/\(name)"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("real images not fetched: run scripts/fetch-real-images.sh") }
        return try Image.open(path)
    }

    func testLightroomXMPAndPhotoshopIPTCAreRead() throws {
        let meta = try XCTUnwrap(IngestProbe.descriptive(try pillow("xmp_test.jpg")))
        print("measured: xmp_test.jpg → tool \(meta.creatorTool ?? "-"), title \(meta.title ?? "-"), keywords \(meta.keywords.prefix(5)), \(meta.xmp.count) XMP properties, ignored \(meta.ignored)")
        XCTAssertEqual(meta.creatorTool, "Adobe Photoshop Lightroom Classic 7.4 (Macintosh)")
        XCTAssertEqual(meta.xmp["aux:SerialNumber"], "022070029137")
        let iptc = try XCTUnwrap(IngestProbe.descriptive(try pillow("iptc.jpg")))
        print("measured: iptc.jpg → title \(iptc.title ?? "-"), keywords \(iptc.keywords), job \(iptc.jobIdentifier ?? "-"), ignored \(iptc.ignored)")
        XCTAssertEqual(iptc.keywords, ["HvK", "2006", "summer", "July", "holiday", "Hungary", "Budapest"], "IIM 2:25 keywords")
    }

    func testHandMadeXMPWithAJobIdentifier() {
        let xmp = """
        <?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
          xmlns:xmp="http://ns.adobe.com/xap/1.0/" photoshop:TransmissionReference="SKU-4711" xmp:CreatorTool="Capture One 23">
        <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Linen shirt, front</rdf:li></rdf:Alt></dc:title>
        <dc:subject><rdf:Bag><rdf:li>shirt</rdf:li><rdf:li>linen</rdf:li></rdf:Bag></dc:subject>
        </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>
        """
        var meta = DescriptiveMetadata()
        XMPReader.read(Data(xmp.utf8) + Data(repeating: 0x20, count: 2000), into: &meta)
        XCTAssertEqual(meta.jobIdentifier, "SKU-4711")
        XCTAssertEqual(meta.creatorTool, "Capture One 23")
        XCTAssertEqual(meta.title, "Linen shirt, front")
        XCTAssertEqual(meta.keywords, ["shirt", "linen"])
        var broken = DescriptiveMetadata()
        XMPReader.read(Data("<x:xmpmeta><unclosed".utf8), into: &broken)
        XCTAssertFalse(broken.ignored.isEmpty)
    }

    func testHandMadeIPTCAndHostileLengths() {
        func record(_ ds: UInt8, _ s: String) -> [UInt8] { [0x1C, 2, ds, 0, UInt8(s.utf8.count)] + Array(s.utf8) }
        let iim = record(5, "Title") + record(25, "red") + record(25, "cotton") + record(103, "JOB-9")
        var block: [UInt8] = Array("Photoshop 3.0".utf8) + [0] + Array("8BIM".utf8) + [0x04, 0x04, 0, 0]
        block += [0, 0, 0, UInt8(iim.count)] + iim
        var meta = DescriptiveMetadata()
        IPTCReader.read(Data(block), into: &meta)
        XCTAssertEqual(meta.title, "Title")
        XCTAssertEqual(meta.keywords, ["red", "cotton"])
        XCTAssertEqual(meta.jobIdentifier, "JOB-9")
        // A record claiming more bytes than the block holds is cut off, not read past.
        var hostile = DescriptiveMetadata()
        IPTCReader.read(Data([0x1C, 2, 5, 0x7F, 0xFF] + Array("short".utf8)), into: &hostile)
        XCTAssertNil(hostile.title)
        XCTAssertFalse(hostile.ignored.isEmpty)
    }
}
