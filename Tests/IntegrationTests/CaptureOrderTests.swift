import Foundation
import Imaging
import SampleShots
import PipelineCore
import XCTest

/// Frames whose names carry no view are numbered by capture time, even when they arrive out of
/// order: a frame shot earlier that arrives later moves the others up, and the ones already
/// exported are exported again under their new names.
final class CaptureOrderTests: XCTestCase {
    func shot(_ path: String, index: Int, captured: String) throws {
        try Vips.start()
        let image = try StudioFrame.sample(index: index, width: 1200, height: 800).render().inMemory()
        image.setText("exif-ifd2-DateTimeOriginal", "\(captured) (\(captured), ASCII, 20 components, 20 bytes)")
        try image.saveJPEG(path, quality: 90, strip: false)
    }

    func testUnnamedViewsFollowCaptureTimeNotArrival() throws {
        let d = try Daemon(config: """
        [ingest]
        sku_sources = ["batch"]
        [export]
        channels = ["default", "ebay"]
        [export.preset.ebay]
        width = 300
        height = 300
        """)
        defer { d.cleanUp() }
        try d.start()
        let src = "\(d.base)/camera"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        // Arrival order: 0001, 0003, 0002. Capture order: 0002, 0003, 0001.
        let shots = [("IMG_0001.jpg", "2026:11:29 10:00:03"), ("IMG_0003.jpg", "2026:11:29 10:00:02"), ("IMG_0002.jpg", "2026:11:29 10:00:01")]
        for (i, (name, time)) in shots.enumerated() { try shot("\(src)/\(name)", index: i, captured: time) }
        try FileManager.default.createDirectory(atPath: "\(d.inbox)/SKU-9001", withIntermediateDirectories: true)
        for (n, (name, _)) in shots.enumerated() {
            XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(d.inbox)/SKU-9001/\(name)"]).status, 0)
            XCTAssertTrue(waitUntil(timeout: 60) { d.assets(in: .export).count == n + 1 && d.exported(channel: "ebay").count == n + 1 }, d.log)
        }
        let byName = { () -> [String: Manifest] in
            Dictionary(uniqueKeysWithValues: d.assets(in: .export).compactMap { try? d.manifest($0, in: .export) }.map { ($0.sourceName, $0) })
        }
        XCTAssertTrue(waitUntil(timeout: 60) {
            let m = byName()
            return m["IMG_0002.jpg"]?.view == 1 && m["IMG_0003.jpg"]?.view == 2 && m["IMG_0001.jpg"]?.view == 3
                && d.assets(in: .export).count == 3
                && m.values.allSatisfy { a in a.outputs.contains { $0.path == "export/ebay/SKU-9001-\(a.view ?? 0).jpg" } }
        }, "\(byName().mapValues { "\($0.view ?? 0) \($0.outputs.map(\.path))" })\n\(d.log.suffix(2000))")
        let m = byName()
        XCTAssertEqual(m["IMG_0002.jpg"]?.viewSource, "capture")
        XCTAssertEqual(m["IMG_0001.jpg"]?.camera?.captureTime, "2026-11-29T10:00:03")
        XCTAssertEqual(d.exported(channel: "ebay"), ["SKU-9001-1.jpg", "SKU-9001-2.jpg", "SKU-9001-3.jpg"], "no stale names left")
        XCTAssertEqual(Fixtures.sha("\(d.root)/export/ebay/SKU-9001-1.jpg"),
                       Fixtures.sha("\(d.root)/\(try XCTUnwrap(m["IMG_0002.jpg"]?.outputs.first { $0.channel == "ebay" }?.path))"))
        XCTAssertTrue(m["IMG_0001.jpg"]?.history.contains { $0.step == "views" } ?? false, "the move is in the history")
    }
}
