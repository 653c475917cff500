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
        }
    }

    /// Pillow's hopper in orientations 2–8 comes out as the orientation-1 file does.
    func testEveryOrientationComesOutUpright() throws {
        let dir = try real("pillow")
        let s = try StageScratch()
        let reference = try RetouchStage.run(original: "\(dir)/hopper.jpg", assetDir: try s.assetDir("ref"), settings: s.settings())
        let want = try Image.open("\(s.dir)/ref/\(reference.file)")
        for o in 2...8 {
            let name = "hopper_orientation_\(o).jpg"
            XCTAssertEqual(try Image.open("\(dir)/\(name)").orientation, o, name)
            let out = try s.assetDir("o\(o)")
            let m = try RetouchStage.run(original: "\(dir)/\(name)", assetDir: out, settings: s.settings())
            XCTAssertEqual([m.width, m.height], [reference.width, reference.height], name)
            let got = try Image.open("\(out)/\(m.file)")
            // A 4×4 grid of patches: a wrong rotation or flip moves hopper's features between patches.
            var worst = 0.0
            for gy in 0..<4 { for gx in 0..<4 {
                let w = m.width / 4, h = m.height / 4
                let a = try got.cropped(x: gx * w, y: gy * h, width: w, height: h).bandMeans()
                let b = try want.cropped(x: gx * w, y: gy * h, width: w, height: h).bandMeans()
                worst = max(worst, Colour.deltaE76(Array(a.prefix(3)), Array(b.prefix(3))))
            } }
            print(String(format: "measured: %@ worst patch ΔE76 against orientation 1: %.2f", name, worst))
            XCTAssertLessThan(worst, 3, name)
        }
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
