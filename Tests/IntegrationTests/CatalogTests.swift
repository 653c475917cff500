import Foundation
import PipelineCore
import XCTest

/// A studio's day with a catalogue: known SKUs flow, an unknown one waits for a person,
/// the catalogue is fixed while the daemon runs, and a retry takes the asset through.
final class CatalogueDayTests: XCTestCase {
    func testUnknownSkuWaitsThenFlowsOnceTheCatalogueHasIt() throws {
        let base = NSTemporaryDirectory() + "pp-cat-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let catalogPath = "\(base)/catalog.csv"
        try "sku,handle,alt_text\nSKU-6001,blue-mug,\"Blue mug, front\"\n".write(toFile: catalogPath, atomically: true, encoding: .utf8)
        let daemon = try Daemon(config: "[ingest]\ncatalog = \"\(catalogPath)\"\n")
        defer { daemon.cleanUp() }
        try daemon.start()

        let src = try Fixtures.shots(count: 4, firstSku: 6001) // SKU-6001_01..03, SKU-6002_01
        XCTAssertEqual(shell("/bin/cp", ["-r", src, "\(daemon.inbox)/cat-shoot"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .export).count == 3 && daemon.assets(in: .review).count == 1 }, daemon.log)
        let known = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .export).first), in: .export)
        XCTAssertEqual(known.catalog?["handle"], "blue-mug")
        XCTAssertEqual(known.catalog?["alt_text"], "Blue mug, front")
        let id = try XCTUnwrap(daemon.assets(in: .review).first)
        let waiting = try daemon.manifest(id, in: .review)
        XCTAssertEqual(waiting.review?.status, .exception)
        XCTAssertTrue(waiting.review?.reason?.contains("unknown SKU: candidates SKU-6002 (name)") ?? false, waiting.review?.reason ?? "")

        // A broken catalogue is refused and the old one stays in use.
        try "sku,handle\nSKU-6001,a\nSKU-6001,b\n".write(toFile: catalogPath, atomically: true, encoding: .utf8)
        XCTAssertTrue(waitUntil(timeout: 10) { (try? daemon.status().lastError)??.contains("appears twice") ?? false }, daemon.log)

        try "sku,handle\nSKU-6001,blue-mug\nSKU-6002,red-mug\n".write(toFile: catalogPath, atomically: true, encoding: .utf8)
        XCTAssertTrue(waitUntil(timeout: 10) { daemon.log.contains("catalogue loaded: 2 SKUs") }, daemon.log)
        let r = daemon.pipectl(["retry", id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .export).count == 4 }, daemon.log)
        let fixed = try daemon.manifest(id, in: .export)
        XCTAssertEqual(fixed.sku, "SKU-6002")
        XCTAssertEqual(fixed.catalog?["handle"], "red-mug")
    }

    func testABadCatalogueRefusesTheStartNamingTheLine() throws {
        let path = NSTemporaryDirectory() + "pp-badcat-\(UUID().uuidString.prefix(8)).csv"
        try "sku,gtin\nA,12345\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let d = try Daemon(config: "[ingest]\ncatalog = \"\(path)\"\n")
        defer { d.cleanUp() }
        let r = shell(Daemon.photopiped, ["run", "--config", d.configPath])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("line 2") && r.err.contains("GTIN"), r.err)
    }
}
