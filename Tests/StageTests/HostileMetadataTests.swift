import Foundation
import Imaging
import Ingest
import PipelineCore
import Retouch
import XCTest

/// EXIF written by hand to be hostile: an absurd orientation, an IFD chain that loops back on
/// itself, an entry count far beyond the block, offsets pointing outside it. The pixels are fine,
/// so every file must process, and the manifest must say what was ignored.
final class HostileMetadataTests: XCTestCase {
    /// Little-endian TIFF bytes: header, then IFD0 at offset 8.
    struct Tiff {
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]
        mutating func u16(_ v: Int) { bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        mutating func u32(_ v: Int) { bytes += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        mutating func entry(tag: Int, type: Int, count: Int, value: Int) { u16(tag); u16(type); u32(count); u32(value) }
    }

    /// The JPEG with an APP1 Exif segment holding `tiff` inserted right after SOI.
    func inject(_ tiff: [UInt8], into jpeg: String, as out: String) throws {
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: jpeg)))
        XCTAssertEqual(Array(data.prefix(2)), [0xFF, 0xD8])
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        data.insert(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload, at: 2)
        try Data(data).write(to: URL(fileURLWithPath: out))
    }

    func testHostileExifIsSurvivedAndNamed() throws {
        let s = try StageScratch()
        let clean = try s.frame("clean.jpg")

        var loop = Tiff()                    // orientation 99, Make, and IFD0 → IFD0 forever
        loop.u16(2)
        loop.entry(tag: 0x0112, type: 3, count: 1, value: 99)
        loop.entry(tag: 0x010F, type: 2, count: 6, value: 8 + 2 + 24 + 4)
        loop.u32(8)
        loop.bytes += Array("Canon".utf8) + [0]

        var huge = Tiff()                    // claims 65,535 entries, holds one
        huge.u16(0xFFFF)
        huge.entry(tag: 0x0112, type: 3, count: 1, value: 1)
        huge.u32(0)

        var wild = Tiff()                    // Exif sub-IFD and a string far outside the block
        wild.u16(2)
        wild.entry(tag: 0x8769, type: 4, count: 1, value: 0x7FFF_FFF0)
        wild.entry(tag: 0x010F, type: 2, count: 1_000_000, value: 0x0FFF_FFFF)
        wild.u32(0)

        let cases: [(String, [UInt8], Bool, String)] = [("loop", loop.bytes, true, "loops back"),
                                                        ("huge", huge.bytes, false, "declares 65535 entries"),
                                                        ("wild", wild.bytes, false, "outside")]
        for (name, tiff, orientationNamed, named) in cases {
            let path = "\(s.dir)/\(name).jpg"
            try inject(tiff, into: clean, as: path)
            let started = Date()
            let probe = try IngestProbe.run(path: path, maxPixels: 200_000_000)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "\(name): metadata never hangs ingest")
            XCTAssertNil(probe.failure, "\(name): the pixels are fine, so the file is taken")
            let camera = try XCTUnwrap(probe.camera, name)
            XCTAssertNil(camera.orientation == 99 ? camera.orientation : nil, "\(name): an absurd orientation is never kept")
            if orientationNamed {
                XCTAssertTrue(camera.ignored.contains { $0.contains("rientation") }, "\(name): \(camera.ignored)")
                XCTAssertEqual(camera.make, "Canon", "\(name): the sane fields are still read")
            }
            XCTAssertTrue(camera.ignored.contains { $0.contains(named) }, "\(name): \(camera.ignored)")
            print("measured: hostile EXIF '\(name)': ignored \(camera.ignored)")
            // The master comes out as the clean file does: upright, same size.
            let oriented = try RetouchStage.orientedSRGB(original: path, maxPixels: 200_000_000)
            XCTAssertEqual([oriented.width, oriented.height], [1200, 800], name)
            let master = try RetouchStage.run(original: path, assetDir: try s.assetDir(name), settings: s.settings())
            XCTAssertEqual(master.retouch?.flags, [], "\(name): \(master.retouch?.flags ?? [])")
        }
    }
}
