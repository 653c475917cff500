import PipelineCore
import XCTest

final class CatalogTests: XCTestCase {
    let csv = """
    sku,handle,gtin,Alt Text,colour
    SKU-1001,linen-shirt,4006381333931,"Linen shirt, front",white
    SKU-1002,wool-coat,,"A coat with ""quotes""
    and a newline",grey
    """

    func testCatalogueReadsQuotedFieldsAndNormalisesColumns() throws {
        let c = try Catalog.parse(csv)
        XCTAssertEqual(c.count, 2)
        XCTAssertEqual(c.row(sku: "sku-1001")?.sku, "SKU-1001", "SKUs match without regard to case")
        XCTAssertEqual(c.row(sku: "SKU-1001")?.fields["alt_text"], "Linen shirt, front")
        XCTAssertEqual(c.row(sku: "SKU-1001")?.fields["color"], "white")
        XCTAssertEqual(c.row(sku: "SKU-1001")?.fields["gtin14"], "04006381333931")
        XCTAssertEqual(c.row(sku: "SKU-1002")?.fields["alt_text"], "A coat with \"quotes\"\nand a newline")
        XCTAssertEqual(c.sku(forGTIN: "4006381333931"), "SKU-1001")
        XCTAssertNil(c.sku(forGTIN: "4006381333932"), "wrong check digit")
    }

    func testCatalogueErrorsNameTheLine() {
        let cases: [(String, Int, String)] = [
            ("handle,title\nx,y\n", 1, "no 'sku' column"),
            ("sku,title\nA,x\nA,y\n", 3, "appears twice"),
            ("sku,gtin\nA,12345\n", 2, "not a valid GTIN"),
            ("sku,title\nA\n", 2, "1 fields"),
            ("sku,title\n\"A,x\n", 2, "never closed"),
            ("sku,title\n../../x,y\n", 2, "may only hold"),
            ("sku,title\n,y\n", 2, "empty sku"),
            ("", 1, "empty"),
        ]
        for (text, line, words) in cases {
            XCTAssertThrowsError(try Catalog.parse(text), text) { e in
                let err = e as? Catalog.LoadError
                XCTAssertEqual(err?.line, line, "\(e)")
                XCTAssertTrue("\(e)".contains(words), "\(e)")
            }
        }
    }

    func testGTINCheckDigits() {
        XCTAssertEqual(Catalog.gtin14("4006381333931"), "04006381333931")
        XCTAssertEqual(Catalog.gtin14("96385074"), "00000096385074")
        XCTAssertEqual(Catalog.gtin14("036000291452"), "00036000291452")
        XCTAssertNil(Catalog.gtin14("036000291453"))
        XCTAssertNil(Catalog.gtin14("12ab5678"))
    }

    func testResolverTriesSourcesInOrderAndNeverGuessesAgainstACatalogue() throws {
        let pattern = try NamePattern(NamePattern.defaultPattern)
        let catalog = try Catalog.parse(csv)
        var d = DescriptiveMetadata()
        d.jobIdentifier = "SKU-1002"
        d.xmp["xmp:Label"] = "SKU-1001"

        // Without a catalogue the first source wins.
        let free = SkuResolver(sources: ["name", "job"], pattern: pattern, catalog: nil).resolve(stem: "IMG_0042", batch: "b", descriptive: d)
        XCTAssertEqual(free.sku, "IMG_0042")
        XCTAssertEqual(free.source, "name")

        // With one, the first candidate that is in it.
        let r = SkuResolver(sources: ["name", "job"], pattern: pattern, catalog: catalog).resolve(stem: "IMG_0042", batch: "b", descriptive: d)
        XCTAssertEqual(r.sku, "SKU-1002")
        XCTAssertEqual(r.source, "job")
        XCTAssertEqual(r.candidates.map(\.value), ["IMG_0042", "SKU-1002"])

        let xmp = SkuResolver(sources: ["xmp:xmp:Label"], pattern: pattern, catalog: catalog).resolve(stem: "x", batch: "b", descriptive: d)
        XCTAssertEqual(xmp.sku, "SKU-1001")

        let barcode = SkuResolver(sources: ["name", "gtin"], pattern: pattern, catalog: catalog)
            .resolve(stem: "4006381333931_2", batch: "b", descriptive: nil)
        XCTAssertEqual(barcode.sku, "SKU-1001")
        XCTAssertEqual(barcode.source, "gtin")

        let unknown = SkuResolver(sources: ["name", "batch"], pattern: pattern, catalog: catalog)
            .resolve(stem: "NOPE-9_01", batch: "shoot-3", descriptive: nil)
        XCTAssertNil(unknown.sku)
        XCTAssertEqual(unknown.candidates.map(\.value), ["NOPE-9", "shoot-3"])
    }

    func testSkuSourcesAreValidatedInTheConfig() {
        XCTAssertEqual(try ConfigLoader.parse("[ingest]\nsku_sources = [\"job\", \"name\", \"xmp:photoshop:Headline\"]\n").skuSources,
                       ["job", "name", "xmp:photoshop:Headline"])
        XCTAssertThrowsError(try ConfigLoader.parse("[ingest]\nsku_sources = [\"name\", \"guess\"]\n")) { e in
            XCTAssertTrue("\(e)".contains("line 2") && "\(e)".contains("guess"), "\(e)")
        }
    }
}
