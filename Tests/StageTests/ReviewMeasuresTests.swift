import Foundation
import Imaging
import SampleShots
import PipelineCore
import Retouch
import XCTest

/// The pixel measurements the review gates read, taken by the retouch stage on frames whose
/// defect is known: the same scene sharp and out of focus, with and without a prop on the sweep,
/// lit normally and far too dimly; and the contact sheet's thumbnail.
final class ReviewMeasuresTests: XCTestCase {
    func retouch(_ frame: StudioFrame, _ s: StageScratch, _ name: String) throws -> RetouchRecord.Quality {
        let path = "\(s.dir)/\(name).jpg"
        try frame.write(jpeg: path)
        let dir = try s.assetDir(name)
        let info = try RetouchStage.run(original: path, assetDir: dir, settings: s.settings())
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/\(RetouchStage.thumbFile)"))
        return try XCTUnwrap(info.retouch?.quality)
    }

    func testSharpnessFallsWithFocusAndStrayPartsAndCrushedShadowsAreMeasured() throws {
        let s = try StageScratch()
        let base = StudioFrame.sample(index: 3, width: 1200, height: 800)
        let sharp = try retouch(base, s, "sharp")
        var soft = base; soft.blurSigma = 2
        var blurred = base; blurred.blurSigma = 4
        let softQ = try retouch(soft, s, "soft"), blurredQ = try retouch(blurred, s, "blurred")
        print(String(format: "measured: outline sharpness sharp %.0f, blur σ2 %.0f, blur σ4 %.0f", sharp.sharpness, softQ.sharpness, blurredQ.sharpness))
        XCTAssertGreaterThan(sharp.sharpness, 3 * softQ.sharpness)
        XCTAssertGreaterThan(softQ.sharpness, blurredQ.sharpness)
        XCTAssertLessThan(blurredQ.sharpness, 0.35 * sharp.sharpness, "the batch-relative default catches σ4")
        XCTAssertEqual(sharp.strayShare, 0)
        XCTAssertEqual(sharp.crushedShare, 0)

        var prop = base; prop.stray = true
        let propQ = try retouch(prop, s, "prop")
        print(String(format: "measured: stray share with a prop %.4f", propQ.strayShare))
        XCTAssertGreaterThan(propQ.strayShare, 0.005)

        var dark = base; dark.product = RGB(-30, -30, -30)
        let darkQ = try retouch(dark, s, "dark")
        XCTAssertGreaterThan(darkQ.crushedShare, 0.5)
    }

    /// A product running off the left edge fills part of the border ring the sweep is first fitted
    /// to. Before the ring was cleaned of off-hue samples, this orange box bent the fit orange: the
    /// frame got a strong cyan cast, the backdrop was cut out as product, and five flags were raised.
    func testAProductCutOffAtTheEdgeOnlyRaisesTheFramingFlag() throws {
        let s = try StageScratch()
        var f = StudioFrame.sample(index: 46, width: 1200, height: 800)
        f.productX = 0.06; f.productScale = 0.6
        let path = "\(s.dir)/cut.jpg"
        try f.write(jpeg: path)
        let info = try RetouchStage.run(original: path, assetDir: try s.assetDir("cut"), settings: s.settings())
        let r = try XCTUnwrap(info.retouch)
        print("measured: cut-off frame flags \(r.flags), cast \(r.backdrop.cast), clipped \(r.correction.clippedShare), product share \(r.matte.productShare)")
        XCTAssertEqual(r.flags, ["touches_left"])
        XCTAssertGreaterThan(r.confidence, 0.9, "touching the edge is a framing fault, not doubt about the cut-out")
        XCTAssertLessThan((r.backdrop.cast[0] * r.backdrop.cast[0] + r.backdrop.cast[1] * r.backdrop.cast[1]).squareRoot(), 5)
        XCTAssertLessThan(r.matte.productShare, 0.2, "the sweep is not cut out as product")
    }

    func testTheThumbnailIsTheMasterOnWhite() throws {
        let s = try StageScratch()
        _ = try retouch(StudioFrame.sample(index: 0, width: 1200, height: 800), s, "one")
        let thumb = try Image.open("\(s.dir)/one/\(RetouchStage.thumbFile)")
        XCTAssertLessThanOrEqual(max(thumb.width, thumb.height), 360)
        XCTAssertEqual(thumb.bands, 3)
        XCTAssertEqual(try thumb.pixel(x: 0, y: 0), [255, 255, 255], "the background is white")
    }
}

final class ContactSheetImageTests: XCTestCase {
    func testADamagedOrMissingThumbnailIsAGreySquareNotAFailedSheet() throws {
        let s = try StageScratch()
        let good = "\(s.dir)/good.jpg"
        try Image(PixelBuffer(width: 300, height: 200, bands: 3, fill: 90)).saveJPEG(good, quality: 90)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: "\(s.dir)/truncated.jpg"))
        let cells = ["good.jpg", "truncated.jpg", "missing.jpg"].map {
            ContactSheetImage.Cell(thumbnail: "\(s.dir)/\($0)", label: "SKU <1> & \"x\"", frame: RGB(210, 50, 50))
        }
        let sheet = try ContactSheetImage.render(cells, cellSize: 240, columns: 3)
        try sheet.saveJPEG("\(s.dir)/sheet.jpg", quality: 85)
        XCTAssertEqual(sheet.width, 3 * 240 + 2 * 10 + 20)
        let grey = try sheet.pixel(x: 10 + 240 + 10 + 120, y: 10 + 120)
        XCTAssertEqual(grey[0], 200, accuracy: 2, "the truncated thumbnail shows as grey")
        let product = try sheet.pixel(x: 10 + 120, y: 10 + 120)
        XCTAssertEqual(product[0], 90, accuracy: 3, "the good one is drawn")
    }
}
