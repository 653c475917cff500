import PipelineCore
import XCTest

final class ChannelNamingTests: XCTestCase {
    func context(sku: String = "SKU-1", view: Int = 1, catalog: [String: String] = [:], ext: String = "jpg") -> NamingContext {
        NamingContext(sku: sku, view: view, batch: "shoot-1", stem: "SKU-1_0\(view)", catalog: catalog, ext: ext)
    }

    func name(_ template: String, _ c: NamingContext) throws -> String { try NameTemplate(template).render(c) }

    func testTokensFromAssetAndCatalogue() throws {
        let row = ["handle": "linen-shirt", "gtin": "4006381333931", "color": "Sky Blue", "offer_id": "OF-9"]
        XCTAssertEqual(try name("{sku}-{nn}.{ext}", context(view: 3, catalog: row)), "SKU-1-03.jpg")
        XCTAssertEqual(try name("{handle}-{position}.{ext}", context(view: 2, catalog: row)), "linen-shirt-2.jpg")
        XCTAssertEqual(try name("{gtin14}_{n}.{ext}", context(catalog: row)), "04006381333931_1.jpg")
        XCTAssertEqual(try name("{ean}_{n}.{ext}", context(catalog: row)), "4006381333931_1.jpg")
        XCTAssertEqual(try name("{offer_id}-{color}-{batch}.{ext}", context(catalog: row)), "OF-9-Sky-Blue-shoot-1.jpg")
        XCTAssertEqual(try name("{catalog.color}.{ext}", context(catalog: row)), "Sky-Blue.jpg")
        XCTAssertEqual(try name("{handle}-{n}.{ext}", context(sku: "ABC-9")), "abc-9-1.jpg", "no handle: the SKU in lower case")
        var fromName = context()
        fromName.nameColour = "navy"
        XCTAssertEqual(try name("{sku}-{color}.{ext}", fromName), "SKU-1-navy.jpg", "no catalogue colour: the file name's")
        fromName.catalog = ["color": "Navy Blue"]
        XCTAssertEqual(try name("{sku}-{color}.{ext}", fromName), "SKU-1-Navy-Blue.jpg", "the catalogue's wins")
    }

    func testUnknownTokensAndBrokenTemplatesAreRefusedWhenRead() {
        XCTAssertThrowsError(try NameTemplate("{skew}.{ext}"))
        XCTAssertThrowsError(try NameTemplate("{sku.{ext}"))
        XCTAssertThrowsError(try NameTemplate("sku}.{ext}"))
        XCTAssertThrowsError(try NameTemplate("sub/{sku}.{ext}"))
        XCTAssertTrue(try NameTemplate("{sku}.{ext}").endsWithExtension)
        XCTAssertFalse(try NameTemplate("{sku}-{ext}").endsWithExtension)
    }

    func testMissingCatalogueValueSaysWhatToAdd() {
        XCTAssertThrowsError(try name("{gtin14}_{n}.{ext}", context())) { e in
            XCTAssertTrue("\(e)".contains("SKU-1 has no valid gtin"), "\(e)")
        }
        XCTAssertThrowsError(try name("{ident}.{amazon}.{ext}", context(catalog: ["gtin": "123"]))) { e in
            XCTAssertTrue("\(e)".contains("asin or gtin"), "an invalid gtin is no identifier: \(e)")
        }
    }

    func testHostileCatalogueValuesStayInsideOneName() throws {
        let hostile = ["handle": "../../etc/passwd", "color": "red\nx-injected: 1", "title": String(repeating: "long", count: 2000),
                       "offer_id": "..", "retailer_id": "/"]
        let a = try name("{handle}-{n}.{ext}", context(catalog: hostile))
        XCTAssertFalse(a.contains("/"))
        XCTAssertFalse(a.hasPrefix("."))
        XCTAssertEqual(a, "etc-passwd-1.jpg")
        XCTAssertEqual(try name("{color}.{ext}", context(catalog: hostile)), "red-x-injected-1.jpg")
        let long = try name("{catalog.title}.{ext}", context(catalog: hostile))
        XCTAssertLessThanOrEqual(long.count, NameTemplate.maxLength)
        XCTAssertThrowsError(try name("{offer_id}.{ext}", context(catalog: hostile)), "'..' has nothing usable")
        XCTAssertThrowsError(try name("{retailer_id}.{ext}", context(catalog: hostile)))
    }

    func testAmazonVariantCodes() {
        XCTAssertEqual(AmazonNaming.variantCode(view: 1, swatchView: nil), "MAIN")
        XCTAssertEqual(AmazonNaming.variantCode(view: 2, swatchView: nil), "PT01")
        XCTAssertEqual(AmazonNaming.variantCode(view: 9, swatchView: nil), "PT08")
        XCTAssertNil(AmazonNaming.variantCode(view: 10, swatchView: nil), "at most 8 alternates")
        XCTAssertEqual(AmazonNaming.variantCode(view: 10, swatchView: 10), "SWCH")
    }

    func testAmazonNamesFromCatalogue() throws {
        let row = ["asin": "B00EXAMPLE", "gtin": "4006381333931", "swatch_view": "12"]
        XCTAssertEqual(try name("{ident}.{amazon}.{ext}", context(catalog: row)), "B00EXAMPLE.MAIN.jpg")
        XCTAssertEqual(try name("{ident}.{amazon}.{ext}", context(view: 4, catalog: row)), "B00EXAMPLE.PT03.jpg")
        XCTAssertEqual(try name("{ident}.{amazon}.{ext}", context(view: 12, catalog: row)), "B00EXAMPLE.SWCH.jpg")
        XCTAssertThrowsError(try name("{ident}.{amazon}.{ext}", context(view: 11, catalog: row))) { e in
            XCTAssertTrue("\(e)".contains("at most 8 alternates"), "\(e)")
        }
        XCTAssertEqual(try name("{ident}.{amazon}.{ext}", context(catalog: ["gtin": "4006381333931"])), "4006381333931.MAIN.jpg")
    }

    func testAmazonRulesRefuseBrokenNames() {
        XCTAssertNil(AmazonNaming.problem(with: "B00EXAMPLE.MAIN.jpg"))
        XCTAssertNil(AmazonNaming.problem(with: "4006381333931.PT08.jpg"))
        XCTAssertNotNil(AmazonNaming.problem(with: "B00-EXAMPLE.MAIN.jpg"), "dash in the identifier")
        XCTAssertNotNil(AmazonNaming.problem(with: "B00EXAMPLE.PT_01.jpg"), "underscore in the variant")
        XCTAssertNotNil(AmazonNaming.problem(with: "B00EXAMPLE.PT09.jpg"), "a ninth alternate")
        XCTAssertNotNil(AmazonNaming.problem(with: "B00EXAMPLE.MAIN.x.jpg"), "extra period")
        XCTAssertNotNil(AmazonNaming.problem(with: "B00EXAMPLE.MAIN.webp"), "format Amazon does not take")
    }
}

final class ViewOrderingTests: XCTestCase {
    func testUnnamedFramesFollowCaptureTimeAroundNamedViews() {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let frames = [
            ViewOrdering.Frame(id: "late", captureTime: "2026-11-29T10:00:03.50", arrivedAt: t0),
            ViewOrdering.Frame(id: "early", captureTime: "2026-11-29T10:00:01.10", arrivedAt: t0.addingTimeInterval(5)),
            ViewOrdering.Frame(id: "middle", captureTime: "2026-11-29T10:00:01.20", arrivedAt: t0.addingTimeInterval(9)),
            ViewOrdering.Frame(id: "no-exif-b", captureTime: nil, arrivedAt: t0.addingTimeInterval(2)),
            ViewOrdering.Frame(id: "no-exif-a", captureTime: nil, arrivedAt: t0.addingTimeInterval(1)),
        ]
        let views = ViewOrdering.assign(frames, taken: [2])
        XCTAssertEqual(views, ["early": 1, "middle": 3, "late": 4, "no-exif-a": 5, "no-exif-b": 6],
                       "sub-seconds order, view 2 is a named frame's, frames without a time come last by arrival")
    }
}
