import PipelineCore
import XCTest

final class NamingTests: XCTestCase {
    func testSanitizerKeepsNamesInsideTheRoot() {
        XCTAssertEqual(Sanitizer.component("../../etc/passwd"), "etc_passwd")
        XCTAssertEqual(Sanitizer.component(".."), "")
        XCTAssertEqual(Sanitizer.component("..", fallback: "x"), "x")
        XCTAssertEqual(Sanitizer.component(".hidden"), "hidden")
        XCTAssertEqual(Sanitizer.component("Shoot 01/ä"), "Shoot_01")
        XCTAssertEqual(Sanitizer.component("a\u{0}b\nc"), "a_b_c")
        XCTAssertEqual(Sanitizer.component(String(repeating: "x", count: 300)).count, Sanitizer.maxLength)
        for hostile in ["/", "a/../../b", "~root", "$(rm -rf)", "..\\..\\win"] {
            let s = Sanitizer.component(hostile, fallback: "f")
            XCTAssertFalse(s.contains("/"), s)
            XCTAssertFalse(s.hasPrefix("."), s)
            XCTAssertNotEqual(s, "..")
        }
    }

    func testDefaultPatternReadsSkuAndView() throws {
        let p = try NamePattern(NamePattern.defaultPattern)
        XCTAssertEqual(p.resolve(stem: "SKU-1001_02"), .init(sku: "SKU-1001", view: 2, fromPattern: true))
        XCTAssertEqual(p.resolve(stem: "ABC123-3"), .init(sku: "ABC123", view: 3, fromPattern: true))
        XCTAssertEqual(p.resolve(stem: "ABC123"), .init(sku: "ABC123", view: nil, fromPattern: true))
        // Not matching the pattern: the sanitised stem is the SKU, no view.
        XCTAssertEqual(p.resolve(stem: "IMG 0042 (copy)"), .init(sku: "IMG_0042_copy", view: nil, fromPattern: false))
    }

    func testCustomPatternAndRefusals() throws {
        let p = try NamePattern(#"^(?<sku>\d{6})-v(?<view>\d+)$"#)
        XCTAssertEqual(p.resolve(stem: "123456-v7"), .init(sku: "123456", view: 7, fromPattern: true))
        let coloured = try NamePattern(#"^(?<sku>[A-Z]+-\d+)_(?<colour>[a-z]+)_(?<view>\d+)$"#)
        XCTAssertEqual(coloured.resolve(stem: "SHIRT-01_navy_2"), .init(sku: "SHIRT-01", view: 2, fromPattern: true, colour: "navy"))
        XCTAssertThrowsError(try NamePattern("(unclosed"))
        XCTAssertThrowsError(try NamePattern(#"^(?<code>\w+)$"#), "a pattern without a sku group is refused")
    }

    func testAssetIDIsStableReadableAndValid() {
        let id = AssetID.make(stem: "SKU-1001_02", sha256: "abcdef0123456789")
        XCTAssertEqual(id, "SKU-1001_02-abcdef0123")
        XCTAssertTrue(AssetID.isValid(id))
        XCTAssertFalse(AssetID.isValid("../x"))
        XCTAssertFalse(AssetID.isValid(""))
        XCTAssertEqual(AssetID.make(stem: "../..", sha256: "ff00ff00ff00"), "asset-ff00ff00ff")
    }

    func testInboxFilterClassifiesWhatSyncToolsWrite() {
        let f = InboxFilter(extensions: ["jpg", "png"])
        XCTAssertEqual(f.classify("shoot1/SKU1_1.JPG"), .candidate(batch: "shoot1", name: "SKU1_1.JPG"))
        XCTAssertEqual(f.classify("SKU1_1.jpg"), .candidate(batch: nil, name: "SKU1_1.jpg"))
        for temp in ["shoot1/.SKU1_1.jpg.Ab12Cd", "x.jpg.part", "x.tmp", "x.jpg.crdownload", "~lock.jpg", ".hidden/a.jpg", "tmpfileAB12"] {
            XCTAssertEqual(f.classify(temp), .temporary, temp)
        }
        XCTAssertEqual(f.classify("shoot1/notes.txt"), .notImage)
        // A Capture One session: frames in Output are taken (the batch is the first folder); its
        // settings and caches are left alone; too deep is said, not silently dropped.
        XCTAssertEqual(f.classify("day-3/Session/Output/SKU1_1.jpg"), .candidate(batch: "day-3", name: "SKU1_1.jpg"))
        XCTAssertEqual(f.classify("day-3/Session/CaptureOne/Settings153/SKU1_1.cos"), .skipped)
        XCTAssertEqual(f.classify("day-3/Session/CaptureOne/Cache/Proxies/SKU1_1.jpg"), .skipped)
        XCTAssertEqual(f.classify("day-3/Cat.lrdata/a/b.jpg"), .skipped)
        guard case .ignored(let why) = f.classify("a/b/c/d/SKU1_1.jpg") else { return XCTFail("four folders deep is past the default 3") }
        XCTAssertTrue(why.contains("ingest.max_depth is 3"), why)
        XCTAssertEqual(InboxFilter(extensions: ["jpg"], maxDepth: 1).classify("day/Output/x.jpg"), .ignored("2 folders deep, and ingest.max_depth is 1: raise it, or move the file up"))
        XCTAssertEqual(f.classify("shoot1/capture.xmp"), .sidecar)
        XCTAssertEqual(f.classify("shoot1/IMG_1.CR3.XMP"), .sidecar)
        // Lightroom's name (the frame's whole name) before Capture One's (its stem), any case.
        let names = ["IMG_1.CR3", "IMG_1.xmp", "IMG_1.CR3.xmp", "IMG_10.xmp", "notes.txt"]
        XCTAssertEqual(InboxFilter.sidecar(of: "IMG_1.CR3", among: names), "IMG_1.CR3.xmp")
        XCTAssertEqual(InboxFilter.sidecar(of: "IMG_1.CR3", among: ["IMG_1.XMP", "IMG_1.CR3"]), "IMG_1.XMP")
        XCTAssertNil(InboxFilter.sidecar(of: "IMG_2.CR3", among: names))
        if case .ignored = f.classify("a/b/c/d/e.jpg") {} else { XCTFail("nested deeper than ingest.max_depth is left alone") }
    }
}
