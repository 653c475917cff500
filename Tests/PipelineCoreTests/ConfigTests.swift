import PipelineCore
import XCTest

final class ConfigTests: XCTestCase {
    func testEmptyFileGivesEveryDefault() throws {
        XCTAssertEqual(try ConfigLoader.parse(""), Config())
        XCTAssertEqual(try ConfigLoader.parse("# only a comment\n\n"), Config())
    }

    func testExampleConfigParses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/photopipe.toml")
        let c = try ConfigLoader.parse(try String(contentsOf: url, encoding: .utf8))
        XCTAssertEqual(c.export.channels.count, c.export.enabled.count, "every enabled channel has a preset")
    }

    func testValuesAreRead() throws {
        let c = try ConfigLoader.parse("""
        root = "/srv/photopipe"
        [daemon]
        workers = 3   # two cores, one spare
        [watch]
        settle_seconds = 0.5
        [ingest]
        image_extensions = ["jpg", "TIF"]
        name_pattern = '^(?<sku>\\d+)_(?<view>\\d+)$'
        [review]
        hold = true
        [limits]
        max_pixels = 50_000_000
        """)
        XCTAssertEqual(c.root, "/srv/photopipe")
        XCTAssertEqual(c.workers, 3)
        XCTAssertEqual(c.settleSeconds, 0.5)
        XCTAssertEqual(c.imageExtensions, ["jpg", "tif"])
        XCTAssertEqual(c.namePattern, #"^(?<sku>\d+)_(?<view>\d+)$"#)
        XCTAssertTrue(c.reviewHold)
        XCTAssertEqual(c.maxPixels, 50_000_000)
    }

    func testUnknownKeyIsRefusedWithKeyAndLine() {
        XCTAssertThrowsError(try ConfigLoader.parse("[daemon]\nworkers = 2\nwrokers = 3\n")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("line 3"), text)
            XCTAssertTrue(text.contains("daemon.wrokers"), text)
        }
    }

    func testBadValuesAreRefusedWithKeyAndLine() {
        let cases: [(String, String, String)] = [
            ("[daemon]\nworkers = \"two\"\n", "line 2", "must be an integer"),
            ("[daemon]\n\nworkers = 0\n", "line 3", "between 1 and 64"),
            ("[review]\nhold = yes\n", "line 2", "not a value"),
            ("root = \"relative/path\"\n", "line 1", "absolute path"),
            ("[ingest]\nname_pattern = \"(?<sku>\"\n", "line 2", "pattern"),
            ("[export]\nchannels = [\"../escape\"]\n", "line 2", "plain folder name"),
            ("[watch]\nsettle_seconds = 1\nsettle_seconds = 2\n", "line 3", "defined twice"),
            ("[watch\n", "line 1", "']'"),
            ("name = \"unterminated\n", "line 1", "unterminated"),
        ]
        for (text, line, words) in cases {
            XCTAssertThrowsError(try ConfigLoader.parse(text), text) { e in
                XCTAssertTrue("\(e)".contains(line), "\(e) should name \(line)")
                XCTAssertTrue("\(e)".contains(words), "\(e) should say \(words)")
            }
        }
    }

    func testTOMLValues() throws {
        let entries = try TOML.parse("a = 1\nb = -2.5\nc = 'lit\\eral'\nd = \"tab\\there\"\ne = [1, 2,\n  3]\n[t.u]\nf = false\n")
        XCTAssertEqual(entries.map(\.key), ["a", "b", "c", "d", "e", "t.u.f"])
        XCTAssertEqual(entries[1].value, .float(-2.5))
        XCTAssertEqual(entries[2].value, .string("lit\\eral"))
        XCTAssertEqual(entries[3].value, .string("tab\there"))
        XCTAssertEqual(entries[4].value, .array([.integer(1), .integer(2), .integer(3)]))
        XCTAssertEqual(entries[5].line, 8)
    }
}
