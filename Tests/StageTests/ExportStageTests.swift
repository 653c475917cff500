import Export
import Foundation
import Imaging
import PipelineCore
import XCTest

final class ExportStageTests: XCTestCase {
    func manifest(master: MasterInfo) -> Manifest {
        var m = Manifest(id: "SKU-1_01-abc", batch: "b", sourceName: "SKU-1_01.jpg", original: "originals/b/SKU-1_01.jpg",
                         sha256: "abc", bytes: 1, sku: "SKU-1", view: 1, skuSource: "name-pattern", arrivedAt: Date())
        m.master = master
        return m
    }

    func export(width: Int, height: Int) throws -> (Image, OutputRecord, StageScratch) {
        let s = try StageScratch()
        let dir = try s.assetDir("asset")
        let src = try s.frame("src.jpg", width: width, height: height)
        try Image.open(src).saveMasterTIFF("\(dir)/master.tif")
        let outputs = try ExportStage.run(assetDir: dir, manifest: manifest(master: MasterInfo(file: "master.tif", width: width, height: height)),
                                          preset: .init(channel: "default", size: 2000, quality: 90))
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs[0].sha256, try FileDigest.of("\(dir)/\(outputs[0].path)").sha256)
        return (try Image.open("\(dir)/\(outputs[0].path)").inMemory(), outputs[0], s)
    }

    func testLargeMasterIsFittedToTheSquareCanvas() throws {
        let (img, out, _) = try export(width: 3000, height: 2000)
        XCTAssertEqual([img.width, img.height], [2000, 2000])
        XCTAssertEqual(out.path, "out/default/SKU-1_01.jpg")
        // Padding above and below the 2000×1333 fitted frame is white.
        XCTAssertEqual(try img.pixel(x: 1000, y: 10), [255, 255, 255])
        XCTAssertEqual(try img.pixel(x: 1000, y: 1990), [255, 255, 255])
        XCTAssertNotEqual(try img.pixel(x: 1000, y: 1100), [255, 255, 255], "the product is in the middle")
        XCTAssertEqual([out.width, out.height], [2000, 2000])
    }

    func testSmallMasterIsPaddedNeverUpscaled() throws {
        let (img, _, _) = try export(width: 800, height: 600)
        XCTAssertEqual([img.width, img.height], [2000, 2000])
        // The 800×600 frame sits at x 600–1400, y 700–1300: outside it, white.
        XCTAssertEqual(try img.pixel(x: 550, y: 1000), [255, 255, 255])
        XCTAssertEqual(try img.pixel(x: 1000, y: 650), [255, 255, 255])
        XCTAssertNotEqual(try img.pixel(x: 620, y: 720), [255, 255, 255], "the backdrop of the unscaled frame starts at 600,700")
    }

    func testSameMasterGivesIdenticalBytes() throws {
        let (_, a, _) = try export(width: 1200, height: 800)
        let (_, b, _) = try export(width: 1200, height: 800)
        XCTAssertEqual(a.sha256, b.sha256)
    }
}
