import Foundation
import Imaging
import Ingest
import PipelineCore
import Retouch
import XCTest

/// Camera RAW through ingest and retouch: real files from real cameras (fetched by
/// scripts/fetch-raw-samples.sh, which scripts/test.sh runs first), and hostile ones.
final class RawFrameTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.cache/raw-samples").standardized.path
    var scratch: StageScratch!

    override func setUpWithError() throws {
        scratch = try StageScratch()
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(Self.samples)/full/_DSC2164.ARW"),
                      "RAW samples missing: run scripts/fetch-raw-samples.sh")
    }

    func retouch(_ path: String, maxPixels: Int = 200_000_000) throws -> RetouchStage.Output {
        var clock = StepClock()
        var settings = RetouchSettings()
        settings.matteNetwork = .off
        return try RetouchStage.process(original: path, settings: settings, maxPixels: maxPixels, memoryLimitMB: 4096, clock: &clock)
    }

    func testRealRawFramesAreDevelopedWithTheirCameraMetadata() throws {
        // Sony ILCE-7RM3, APS-C crop: 5184×3464.
        let arw = "\(Self.samples)/full/_DSC2164.ARW"
        let probe = try IngestProbe.run(path: arw, maxPixels: 200_000_000)
        XCTAssertNil(probe.failure)
        XCTAssertEqual(probe.source?.loader, "libraw")
        XCTAssertEqual(probe.source?.width, 5184)
        XCTAssertEqual(probe.source?.height, 3464)
        XCTAssertEqual(probe.camera?.make, "Sony")
        XCTAssertEqual(probe.camera?.model, "ILCE-7RM3")
        XCTAssertEqual(probe.camera?.iso, 3200)
        XCTAssertEqual(probe.camera?.fNumber, 6.3)
        XCTAssertEqual(probe.camera?.captureTime?.hasPrefix("2018-07-11T"), true, "\(probe.camera?.captureTime ?? "-")")
        XCTAssertEqual(probe.camera?.ignored, [])
        let out = try retouch(arw)
        XCTAssertGreaterThan(out.master.width, 500)
        // Developed, not the undeveloped sensor data or a thumbnail: the frame has colour and range.
        let small = try RetouchStage.orientedSRGB(original: arw, maxPixels: 200_000_000)
        XCTAssertEqual(small.width, 5184)
        XCTAssertEqual(small.bands, 3)

        // A linear DNG from Adobe's DNG SDK (3000×2000).
        let dng = "\(Self.samples)/full/12_ImageStats_WeightedAverage.dng"
        let d = try IngestProbe.run(path: dng, maxPixels: 200_000_000)
        XCTAssertNil(d.failure)
        XCTAssertEqual(d.source?.width, 3000)
        XCTAssertNoThrow(try retouch(dng))
    }

    func testHostileRawIsRefusedWithAReasonAndNeverCrashes() throws {
        let fm = FileManager.default
        let arw = try Data(contentsOf: URL(fileURLWithPath: "\(Self.samples)/full/_DSC2164.ARW"))
        var cases: [(String, Data)] = [
            ("empty.nef", Data()),
            ("random.nef", Data((0..<200_000).map { _ in UInt8.random(in: 0...255) })),
            ("first-30pc.arw", arw.prefix(arw.count * 3 / 10)),
            ("first-1mb.arw", arw.prefix(1 << 20)),
        ]
        cases.append(("jpeg.cr2", try Data(contentsOf: URL(fileURLWithPath: try scratch.frame()))))
        for (name, bytes) in cases {
            let path = "\(scratch.dir)/\(name)"
            try bytes.write(to: URL(fileURLWithPath: path))
            let probe = try IngestProbe.run(path: path, maxPixels: 200_000_000)
            var failure = probe.failure
            if failure == nil {
                do { _ = try retouch(path) } catch let f as StepFailure { failure = f }
            }
            print("measured: \(name): \(failure?.description ?? "accepted")")
            XCTAssertNotNil(failure, "\(name) was accepted")
            XCTAssertFalse(failure?.message.isEmpty ?? true)
            XCTAssertTrue(fm.fileExists(atPath: path), "the original is kept")
        }
        // Real camera headers with the pixels cut out (ExifTool's test files): refused, not crashed.
        let headers = "\(Self.samples)/header-only"
        for name in try fm.contentsOfDirectory(atPath: headers) {
            let path = "\(headers)/\(name)"
            let probe = try IngestProbe.run(path: path, maxPixels: 200_000_000)
            if probe.failure == nil {
                XCTAssertThrowsError(try retouch(path), name)
            }
        }
    }

    func testThePixelLimitHoldsBeforeDeveloping() throws {
        let arw = "\(Self.samples)/full/_DSC2164.ARW"
        let probe = try IngestProbe.run(path: arw, maxPixels: 10_000_000)
        XCTAssertEqual(probe.failure?.code, "pixel_limit", probe.failure?.description ?? "accepted")
        XCTAssertThrowsError(try retouch(arw, maxPixels: 10_000_000))
    }
}
