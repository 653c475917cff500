import Foundation
import PipelineCore
import XCTest

final class ManifestTests: XCTestCase {
    func testManifestRoundTripsAndWritesAtomically() throws {
        let dir = NSTemporaryDirectory() + "pp-manifest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = Manifest(id: "a-1", batch: "b", sourceName: "a.jpg", original: "originals/b/a.jpg", sha256: "00",
                         bytes: 3, sku: "a", view: 1, skuSource: "name-pattern", arrivedAt: Date(timeIntervalSince1970: 1_700_000_000.123))
        m.history.append(HistoryEntry(step: "ingest", to: "ingested", at: Date(), ms: 12.5, workerMs: 10))
        try ManifestStore.write(m, assetDir: dir)
        m.sku = "changed"
        try ManifestStore.write(m, assetDir: dir)
        let back = try ManifestStore.read(assetDir: dir)
        XCTAssertEqual(back.sku, "changed")
        XCTAssertEqual(back.arrivedAt.timeIntervalSince1970, 1_700_000_000.123, accuracy: 0.001)
        XCTAssertEqual(back.history.first?.workerMs, 10)
        // No temporaries are left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["manifest.json"])
    }

    func testEventLogAppendsReadableLines() throws {
        let path = NSTemporaryDirectory() + "pp-events-\(UUID().uuidString).jsonl"
        defer { unlink(path) }
        let log = try EventLog(path: path)
        log.append(Event(event: "ingested", asset: "a", ms: 1.5))
        log.append(Event(event: "export", asset: "a", from: "approved", to: "export"))
        let events = EventLog.read(path: path)
        XCTAssertEqual(events.map(\.event), ["ingested", "export"])
        XCTAssertEqual(events[0].ms, 1.5)
    }

    func testEventLogRotatesAtItsSizeAndKeepsAFewOldFiles() throws {
        let dir = NSTemporaryDirectory() + "pp-events-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/events.jsonl"
        let log = try EventLog(path: path, maxBytes: 1000, keep: 2)
        for i in 0..<100 { log.append(Event(event: "e\(i)", asset: "asset-\(i)")) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(files, ["events.jsonl", "events.jsonl.1", "events.jsonl.2"])
        for f in files {
            let bytes = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: "\(dir)/\(f)")[.size] as? Int)
            XCTAssertLessThanOrEqual(bytes, 1000, f)
        }
        let newest = EventLog.read(path: path), previous = EventLog.read(path: "\(path).1")
        XCTAssertEqual(newest.last?.event, "e99")
        XCTAssertEqual(Int(previous.last!.event.dropFirst())! + 1, Int(newest.first!.event.dropFirst())!, "no event lost between files")
        // A restart appends to the current file and counts its size.
        let again = try EventLog(path: path, maxBytes: 1000, keep: 2)
        again.append(Event(event: "after-restart"))
        XCTAssertEqual(EventLog.read(path: path).last?.event, "after-restart")
    }
}

final class TimestampTests: XCTestCase {
    func testFormatAndParseRoundTripToTheMillisecond() {
        let d = Date(timeIntervalSince1970: 1_795_000_000.987)
        XCTAssertEqual(Timestamps.format(d), "2026-11-18T11:06:40.987Z")
        XCTAssertEqual(Timestamps.parse(Timestamps.format(d))!.timeIntervalSince1970, d.timeIntervalSince1970, accuracy: 0.0005)
        XCTAssertEqual(Timestamps.parse("2026-11-18T11:06:40Z")?.timeIntervalSince1970, 1_795_000_000)
        XCTAssertEqual(Timestamps.parse("2026-11-18T12:06:40+01:00")?.timeIntervalSince1970, 1_795_000_000)
        XCTAssertEqual(Timestamps.format(Date(timeIntervalSince1970: 0.9996)), "1970-01-01T00:00:01.000Z")
        for bad in ["", "yesterday", "2026-11-18", "2026-11-18T09:06:40", "2026-11-18T09:06:40Zjunk"] {
            XCTAssertNil(Timestamps.parse(bad), bad)
        }
    }
}
