import Foundation
import PipelineCore
import XCTest

/// What tethered studios write besides JPEG: camera RAW and the XMP sidecars Capture One and
/// Lightroom put beside each frame, through the real daemon.
final class TetheredFormatsTests: XCTestCase {
    static let rawSamples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.cache/raw-samples").standardized.path

    func testSidecarsGoWithTheirFramesAndRawFramesAreDeveloped() throws {
        let daemon = try Daemon(config: "[review]\nsample_rate = 0\n")
        defer { daemon.cleanUp() }
        try daemon.start()
        let shoot = "\(daemon.inbox)/tether"
        try FileManager.default.createDirectory(atPath: shoot, withIntermediateDirectories: true)
        // Capture One writes the sidecar first; it waits, silently, for its frame.
        let xmp = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4">
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Blue mug, front</rdf:li></rdf:Alt></dc:title>
            <dc:subject><rdf:Bag><rdf:li>mug</rdf:li><rdf:li>ceramic</rdf:li></rdf:Bag></dc:subject>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """
        try xmp.write(toFile: "\(shoot)/SKU-7701_01.xmp", atomically: true, encoding: .utf8)
        let src = try Fixtures.shots(count: 1, firstSku: 7701)
        let raw = "\(Self.rawSamples)/full/_DSC2164.ARW"
        XCTAssertTrue(FileManager.default.fileExists(atPath: raw), "run scripts/fetch-raw-samples.sh")
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(raw)", "\(shoot)/"]).status, 0)

        XCTAssertTrue(waitUntil(timeout: 120) {
            let done = Layout(root: daemon.root).assets(in: .export) + Layout(root: daemon.root).assets(in: .review)
            return done.count == 2
        }, daemon.log)
        let ids = Layout(root: daemon.root).assets(in: .export) + Layout(root: daemon.root).assets(in: .review)
        let manifests = try ids.map { id in try (try? daemon.manifest(id, in: .export)) ?? daemon.manifest(id, in: .review) }
        let mug = try XCTUnwrap(manifests.first { $0.sku == "SKU-7701" })
        XCTAssertEqual(mug.descriptive?.title, "Blue mug, front")
        XCTAssertEqual(mug.descriptive?.keywords, ["mug", "ceramic"])
        XCTAssertEqual(mug.descriptive?.xmp["xmp:Rating"], "4")
        let kept = try XCTUnwrap(mug.sidecar)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(daemon.root)/\(kept)"), kept)
        XCTAssertEqual(kept, mug.original + ".xmp")
        XCTAssertFalse(daemon.log.contains("not an image by its name"), daemon.log)

        let arw = try XCTUnwrap(manifests.first { $0.sourceName == "_DSC2164.ARW" })
        XCTAssertEqual(arw.source?.loader, "libraw")
        XCTAssertEqual(arw.camera?.model, "ILCE-7RM3")
        XCTAssertNotNil(arw.master, "the RAW frame was developed and retouched")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shoot), [], "nothing left in the inbox")
    }
}
