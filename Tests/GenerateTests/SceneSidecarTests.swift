import Foundation
import Generate
import XCTest

final class SceneSidecarTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = try GenerateFixtures.scratch()
        try FileManager.default.copyItem(atPath: "\(GenerateFixtures.plates)/coffee.jpg", toPath: "\(dir)/table.jpg")
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func sidecar(_ text: String) throws -> ScenePlate {
        try text.write(toFile: "\(dir)/table.toml", atomically: true, encoding: .utf8)
        return try SceneLibrary.loadPlate(sidecar: "\(dir)/table.toml")
    }

    func error(_ text: String) -> SceneSidecarError? {
        do { _ = try sidecar(text); return nil } catch { return error as? SceneSidecarError }
    }

    func testTheFixturePlatesLoadWithTheirSidecars() throws {
        let library = try SceneLibrary.load(folder: GenerateFixtures.plates)
        XCTAssertEqual(library.plates.map(\.name), ["by-the-water", "coffee"])
        let coffee = try XCTUnwrap(library.plate(named: "coffee"))
        XCTAssertEqual([coffee.width, coffee.height], [600, 400])
        XCTAssertEqual(coffee.contact, .point(x: 545, y: 372))
        XCTAssertEqual(coffee.scale.productHeightShare, 0.42)
        XCTAssertEqual(coffee.light.azimuth, 200)
        XCTAssertEqual(library.plates(tagged: ["wood", "deck"]).map(\.name), ["by-the-water"])
    }

    func testDefaultsFillWhatASidecarLeavesOut() throws {
        let p = try sidecar("[contact]\nline = [10, 300, 500, 320]\n[scale]\npx_per_cm = 4\n")
        XCTAssertEqual(p.name, "table")
        XCTAssertTrue(p.imagePath.hasSuffix("/table.jpg"))
        XCTAssertEqual(p.contact, .line(x0: 10, y0: 300, x1: 500, y1: 320, spread: 0))
        XCTAssertEqual(p.light, ScenePlate.Light())
        XCTAssertNil(p.occluderPath)
        XCTAssertEqual(p.reflection, 0)
    }

    func testAMisspeltKeyIsNamedWithItsLine() throws {
        let e = try XCTUnwrap(error("name = \"t\"\n[contact]\npoint = [1, 2]\n[scale]\nproduct_height_share = 0.3\n[light]\nazimut = 90\n"))
        XCTAssertEqual(e.key, "light.azimut"); XCTAssertEqual(e.line, 7)
        XCTAssertEqual(e.description, "\(dir)/table.toml:7: light.azimut: unknown key")
    }

    func testAWrongTypeAndAValueOutOfRangeAreNamed() throws {
        let typed = try XCTUnwrap(error("[contact]\npoint = [1, 2]\n[scale]\nproduct_height_share = \"a third\"\n"))
        XCTAssertEqual(typed.key, "scale.product_height_share"); XCTAssertEqual(typed.line, 4)
        XCTAssertTrue(typed.message.contains("expected a number"), typed.message)
        let range = try XCTUnwrap(error("[contact]\npoint = [1, 2]\n[scale]\npx_per_cm = 3\n[effects]\nreflection = 1.5\n"))
        XCTAssertEqual(range.key, "effects.reflection"); XCTAssertEqual(range.line, 6)
        XCTAssertTrue(range.message.contains("outside 0.0…1.0"), range.message)
    }

    func testContactAndScaleMustBeGivenOnce() throws {
        XCTAssertEqual(error("[scale]\npx_per_cm = 3\n")?.key, "contact")
        XCTAssertEqual(error("[contact]\npoint = [1, 2]\n")?.key, "scale")
        let both = try XCTUnwrap(error("[contact]\npoint = [1, 2]\nline = [0, 0, 5, 5]\n[scale]\npx_per_cm = 3\n"))
        XCTAssertEqual(both.line, 3)
        XCTAssertEqual(error("[contact]\npoint = [1, 2, 3]\n[scale]\npx_per_cm = 3\n")?.key, "contact.point")
    }

    func testContactOutsideThePlateAndMissingFilesAreRefused() throws {
        let outside = try XCTUnwrap(error("[contact]\npoint = [700, 10]\n[scale]\npx_per_cm = 3\n"))
        XCTAssertTrue(outside.message.contains("outside the 600×400 plate"), outside.message)
        XCTAssertEqual(error("image = \"nope.jpg\"\n[contact]\npoint = [1, 2]\n[scale]\npx_per_cm = 3\n")?.line, 1)
        XCTAssertEqual(error("[contact]\npoint = [1, 2]\n[scale]\npx_per_cm = 3\n[effects]\noccluder = \"front.png\"\n")?.key, "effects.occluder")
    }

    func testATOMLSyntaxErrorNamesTheFileAndLine() throws {
        let e = try XCTUnwrap(error("[contact]\npoint = [1, 2\n[scale]\n"))
        XCTAssertEqual(e.file, "\(dir)/table.toml")
        XCTAssertNotNil(e.line)
        XCTAssertNil(e.key)
    }

    func testALibraryStopsAtItsFirstBadSidecar() throws {
        try "[contact]\npoint = [1, 2]\n[scale]\npx_per_cm = -3\n".write(toFile: "\(dir)/table.toml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SceneLibrary.load(folder: dir)) { e in
            XCTAssertEqual((e as? SceneSidecarError)?.key, "scale.px_per_cm")
        }
    }
}
