import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// A shoot exported to four channels by the real daemon: marketplace names from the catalogue,
/// per-batch manifests and a Shopify CSV, exceptions for a missing identifier and a name two
/// assets would share, and a fixed catalogue reaching a retried asset.
final class ChannelExportTests: XCTestCase {
    func testShootReachesEveryChannelWithManifestsCSVAndExceptions() throws {
        let base = NSTemporaryDirectory() + "pp-chan-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let catalogPath = "\(base)/catalog.csv"
        try """
        sku,asin,gtin,handle,alt_text
        SKU-7001,B0SHIRT001,4006381333931,tee,"Tee, front"
        SKU-7002,,,tee,"=cmd|' /C calc'!A0"

        """.write(toFile: catalogPath, atomically: true, encoding: .utf8)
        // Small canvases keep the test quick; the rules are the built-in ones.
        let channels = ["amazon-main", "amazon-alt", "shopify", "walmart"]
        let sizes = channels.map { "[export.preset.\($0)]\nwidth = 300\nheight = 300\n" }.joined()
        let daemon = try Daemon(config: """
        [ingest]
        catalog = "\(catalogPath)"
        [export]
        channels = ["amazon-main", "amazon-alt", "shopify", "walmart"]
        base_url = "https://cdn.example.com/p"
        \(sizes)
        """)
        defer { daemon.cleanUp() }
        try daemon.start()

        let src = try Fixtures.shots(count: 4, firstSku: 7001)   // SKU-7001_01..03, SKU-7002_01
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(daemon.inbox)/tee-shoot/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .export).count == 4 }, daemon.log)

        XCTAssertEqual(daemon.exported(channel: "amazon-main"), ["B0SHIRT001.MAIN.jpg"])
        XCTAssertEqual(daemon.exported(channel: "amazon-alt"), ["B0SHIRT001.PT01.jpg", "B0SHIRT001.PT02.jpg"])
        XCTAssertEqual(daemon.exported(channel: "walmart"), ["04006381333931_1.jpg", "04006381333931_2.jpg", "04006381333931_3.jpg"])
        XCTAssertEqual(daemon.exported(channel: "shopify"), ["tee-1.jpg", "tee-2.jpg", "tee-3.jpg"],
                       "two SKUs share handle 'tee': one tee-1.jpg, never overwritten")

        let manifests = try daemon.assets(in: .export).map { try daemon.manifest($0, in: .export) }
        let second = try XCTUnwrap(manifests.first { $0.sku == "SKU-7002" })
        let codes = Dictionary((second.exportIssues ?? []).map { ($0.channel, $0.code) }) { a, _ in a }
        XCTAssertEqual(codes["amazon-main"], "bad_name")
        XCTAssertEqual(codes["walmart"], "bad_name")
        XCTAssertTrue(second.exportIssues?.first { $0.channel == "walmart" }?.message.contains("SKU-7002 has no valid gtin") ?? false)
        let clashes = manifests.flatMap { $0.exportIssues ?? [] }.filter { $0.code == "name_taken" }
        XCTAssertEqual(clashes.map(\.channel), ["shopify"], "exactly one asset lost tee-1.jpg")
        let withIssues = manifests.filter { $0.exportIssues != nil }.count
        XCTAssertEqual(try daemon.status().exportExceptions, withIssues)
        XCTAssertTrue(daemon.pipectl(["status"]).out.contains("export exceptions: \(withIssues)"))
        let listed = daemon.pipectl(["list", "export"])
        XCTAssertTrue(listed.out.contains("no file for amazon-main (bad_name"), listed.out + listed.err)

        // Each published file is in its batch manifest with its real size and hash.
        let shopifyDir = "\(daemon.root)/export/shopify"
        XCTAssertTrue(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: "\(shopifyDir)/tee-shoot.shopify.csv") })
        // Manifests are written at most once a second: wait until every channel's has caught up.
        XCTAssertTrue(waitUntil(timeout: 10) {
            channels.allSatisfy { c in (try? self.channelManifest(daemon, c))?.files.map(\.file).sorted() == daemon.exported(channel: c) }
        })
        for channel in channels {
            let m = try channelManifest(daemon, channel)
            XCTAssertEqual(m.files.map(\.file).sorted(), daemon.exported(channel: channel), channel)
            for f in m.files {
                XCTAssertEqual(f.sha256, Fixtures.sha("\(daemon.root)/\(f.path)"), f.path)
                XCTAssertEqual([f.width, f.height], [300, 300])
            }
        }
        let rows = try CSV.parse(try String(contentsOfFile: "\(shopifyDir)/tee-shoot.shopify.csv", encoding: .utf8)).map(\.1)
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0], ShopifyCSV.header)
        XCTAssertEqual(Set(rows.dropFirst().map { $0[1] }), Set((1...3).map { "https://cdn.example.com/p/shopify/tee-\($0).jpg" }))
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0[0] == "tee" && !$0[3].hasPrefix("=") })

        // The studio fixes the catalogue; a retry renames the files from the new row.
        try """
        sku,asin,gtin,handle,alt_text
        SKU-7001,B0SHIRT001,4006381333931,tee,"Tee, front"
        SKU-7002,B0SHIRT002,,tee-blue,Blue tee

        """.write(toFile: catalogPath, atomically: true, encoding: .utf8)
        XCTAssertTrue(waitUntil(timeout: 10) { daemon.log.contains("catalogue loaded: 2 SKUs") }, daemon.log)
        let retried = daemon.pipectl(["retry", second.id])
        XCTAssertEqual(retried.status, 0, retried.err)
        XCTAssertTrue(retried.out.contains("exported again"), "channel exceptions need no new retouch: \(retried.out)")
        XCTAssertTrue(waitUntil(timeout: 60) {
            daemon.exported(channel: "amazon-main").contains("B0SHIRT002.MAIN.jpg") && daemon.assets(in: .export).count == 4
        }, daemon.log)
        let fixed = try daemon.manifest(second.id, in: .export)
        XCTAssertEqual(fixed.exportIssues?.map(\.channel), ["walmart"], "still no GTIN for walmart")
        // Whichever asset lost tee-1.jpg gets it once the other lets it go: no name_taken is left.
        XCTAssertTrue(waitUntil(timeout: 60) {
            daemon.exported(channel: "shopify") == ["tee-1.jpg", "tee-2.jpg", "tee-3.jpg", "tee-blue-1.jpg"]
                && daemon.assets(in: .export).count == 4
                && ((try? daemon.assets(in: .export).map { try daemon.manifest($0, in: .export) }) ?? [])
                    .allSatisfy { !($0.exportIssues ?? []).contains { $0.code == "name_taken" } }
        }, daemon.log)
        XCTAssertEqual(try daemon.status().exportExceptions, 1, "only SKU-7002's walmart file is missing")
    }

    func channelManifest(_ daemon: Daemon, _ channel: String) throws -> ChannelManifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(daemon.root)/export/\(channel)/tee-shoot.manifest.json"))
        return try ManifestStore.decoder().decode(ChannelManifest.self, from: data)
    }
}
