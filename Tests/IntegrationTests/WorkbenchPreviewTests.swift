import Foundation
import Imaging
import PhotopipeDaemon
import PipelineCore
import XCTest

/// The workbench's previews, made by the real `photopiped preview` child through `WorkbenchPreview.Runner`.
final class WorkbenchPreviewTests: XCTestCase {
    /// A root with one asset in review: a 900×700 RGBA master whose alpha rises from 0 at the left
    /// edge to opaque at x = 300, and a manifest naming an original.
    final class Scratch {
        let root = NSTemporaryDirectory() + "pp-preview-\(UUID().uuidString.prefix(8))"
        let asset = "SKU-1_1-abcdef0123"
        var assetDir: String { "\(root)/review/\(asset)" }
        var master: String { "\(assetDir)/master.tif" }
        let width = 900, height = 700
        let pixels: PixelBuffer

        init(withMaster: Bool = true, original: String = "originals/shoot/SKU-1_1.jpg") throws {
            try Vips.start()
            try FileManager.default.createDirectory(atPath: "\(root)/review/\(asset)", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(root)/originals/shoot", withIntermediateDirectories: true)
            var p = PixelBuffer(width: width, height: height, bands: 4)
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * 4
                    p.data[i] = UInt8(x * 255 / (width - 1))
                    p.data[i + 1] = UInt8(y * 255 / (height - 1))
                    p.data[i + 2] = UInt8(200 - x * 150 / (width - 1))
                    p.data[i + 3] = UInt8(min(255, x * 255 / 300))
                }
            }
            pixels = p
            if withMaster { try Image(p).saveMasterTIFF(master) }
            let m = Manifest(id: asset, batch: "b1", sourceName: "SKU-1_1.jpg", original: original, sha256: "abcdef0123",
                             bytes: 1, sku: "SKU-1", view: 1, skuSource: "name", arrivedAt: Date())
            try ManifestStore.write(m, assetDir: assetDir)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// The master's pixel flattened on white, as the preview should show it.
        func onWhite(x: Int, y: Int) -> [Double] {
            let i = (y * width + x) * 4
            let a = Double(pixels.data[i + 3]) / 255
            return (0..<3).map { Double(pixels.data[i + $0]) * a + 255 * (1 - a) }
        }

        var runner: WorkbenchPreview.Runner { WorkbenchPreview.Runner(executable: Daemon.photopiped, root: root) }
    }

    /// Mean and largest difference, over all channels, between a decoded crop and the master on white at (left, top).
    func difference(_ crop: PixelBuffer, _ s: Scratch, left: Int, top: Int) -> (mean: Double, max: Double) {
        var sum = 0.0, largest = 0.0
        for y in 0..<crop.height {
            for x in 0..<crop.width {
                let want = s.onWhite(x: left + x, y: top + y)
                for c in 0..<3 {
                    let d = abs(Double(crop.data[(y * crop.width + x) * crop.bands + c]) - want[c])
                    sum += d; largest = max(largest, d)
                }
            }
        }
        return (sum / Double(crop.width * crop.height * 3), largest)
    }

    func mtime(_ path: String) -> [Int] {
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0, path)
        return [st.st_mtim.tv_sec, st.st_mtim.tv_nsec]
    }

    func testCropShowsTheMastersPixelsOnWhiteAt100Percent() throws {
        let s = try Scratch()
        let path = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 200, y: 150, size: 256))
        XCTAssertTrue(path.hasPrefix("\(s.root)/.work/previews/\(s.asset)/crop-x200-y150-s256-"), path)
        let crop = try Image.open(path).pixels()
        XCTAssertEqual([crop.width, crop.height, crop.bands], [256, 256, 3])
        let d = difference(crop, s, left: 200, top: 150)
        print(String(format: "measured: crop vs master on white, mean %.2f, max %.0f levels", d.mean, d.max))
        XCTAssertLessThan(d.mean, 2, "the cut is the master's pixels, flattened on white")
        XCTAssertLessThan(d.max, 20)
    }

    func testCropNearTheEdgeIsClampedInsideTheMaster() throws {
        let s = try Scratch()
        let edge = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 850, y: 650, size: 256))
        let crop = try Image.open(edge).pixels()
        XCTAssertEqual([crop.width, crop.height], [256, 256], "a whole cut, moved inside")
        XCTAssertLessThan(difference(crop, s, left: 900 - 256, top: 700 - 256).mean, 2)

        // Where the master is transparent the cut is white; a size past the master's shrinks to it.
        let corner = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: -40, y: 0, size: 5000))
        let whole = try Image.open(corner).pixels()
        XCTAssertEqual([whole.width, whole.height], [700, 700])
        XCTAssertGreaterThan(whole.data[0...2].min()!, 251, "transparent is white")
        XCTAssertLessThan(difference(whole, s, left: 0, top: 0).mean, 2.5)
        // The child takes a negative corner as the runner's kind says it, and clamps it the same way.
        let direct = shell(Daemon.photopiped, ["preview", "--root", s.root, "--asset-dir", s.assetDir, "--asset", s.asset]
                           + WorkbenchPreview.Kind.crop(x: -40, y: 0, size: 5000).arguments)
        XCTAssertEqual(direct.status, 0, direct.err)
        XCTAssertEqual(direct.out.trimmingCharacters(in: .whitespacesAndNewlines), corner)
    }

    func testMasterPreviewIsShrunkOnWhiteAndNeverEnlarged() throws {
        let s = try Scratch()
        let small = try Image.open(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(400)))
        XCTAssertEqual(small.width, 400)
        XCTAssertEqual(Double(small.height), 311, accuracy: 1)
        XCTAssertEqual(small.bands, 3)
        XCTAssertGreaterThan(try small.pixel(x: 1, y: 150).min()!, 245, "transparent is white")

        let big = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(9000))
        XCTAssertTrue(big.contains("/master-w2400-"), "the width is clamped: \(big)")
        XCTAssertEqual([try Image.open(big).width, try Image.open(big).height], [900, 700])

        let tiny = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(10))
        XCTAssertEqual(try Image.open(tiny).width, 64)
    }

    func testOriginalWithOrientationSixComesOutUpright() throws {
        let s = try Scratch()
        // Stored landscape 600×400 with a red block top-left; orientation 6 turns it 90° clockwise,
        // so upright it is portrait 400×600 with the block top-right.
        var p = PixelBuffer(width: 600, height: 400, bands: 3, fill: 230)
        for y in 0..<100 { for x in 0..<100 { let i = (y * 600 + x) * 3; p.data[i] = 220; p.data[i + 1] = 20; p.data[i + 2] = 20 } }
        let stored = try Image(p)
        stored.setOrientation(6)
        try stored.saveJPEG("\(s.root)/originals/shoot/SKU-1_1.jpg", quality: 92, strip: false)

        let full = try Image.open(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .original(2400)))
        XCTAssertEqual([full.width, full.height], [400, 600], "upright, not enlarged")
        let topRight = try full.pixel(x: 350, y: 50), topLeft = try full.pixel(x: 50, y: 50)
        XCTAssertGreaterThan(topRight[0] - topRight[1], 150, "the block is top-right: \(topRight)")
        XCTAssertLessThan(abs(topLeft[0] - topLeft[1]), 20, "top-left is the grey: \(topLeft)")

        let small = try Image.open(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .original(200)))
        XCTAssertEqual([small.width, small.height], [200, 300])
    }

    func testCacheHitRewritesNothingAndStartsNoChild() throws {
        let s = try Scratch()
        let kind = WorkbenchPreview.Kind.crop(x: 10, y: 10, size: 128)
        let first = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: kind)
        let stamp = mtime(first)
        usleep(20_000)
        XCTAssertEqual(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: kind), first)
        XCTAssertEqual(mtime(first), stamp, "a hit does not write the file again")
        // No child is started for a hit: a runner with no executable still answers.
        let noChild = WorkbenchPreview.Runner(executable: "/nonexistent/photopiped", root: s.root)
        XCTAssertEqual(try noChild.make(asset: s.asset, assetDir: s.assetDir, kind: kind), first)
        // The child itself answers a hit without writing either.
        let again = shell(Daemon.photopiped, ["preview", "--root", s.root, "--asset-dir", s.assetDir, "--asset", s.asset] + kind.arguments)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(again.out.trimmingCharacters(in: .whitespacesAndNewlines), first)
        XCTAssertEqual(mtime(first), stamp)

        // A master retouched again gets a new preview.
        usleep(20_000)
        try Image(s.pixels).saveMasterTIFF(s.master)
        let fresh = try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: kind)
        XCTAssertNotEqual(fresh, first)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh))
        XCTAssertThrowsError(try noChild.make(asset: s.asset, assetDir: s.assetDir, kind: .crop(x: 11, y: 10, size: 128)),
                             "a miss needs the child")
    }

    func testMissingMasterAndUnreadableOriginalAreNamed() throws {
        let s = try Scratch(withMaster: false)
        XCTAssertThrowsError(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(800))) { error in
            XCTAssertTrue("\(error)".contains(s.master), "\(error)")
        }
        let r = shell(Daemon.photopiped, ["preview", "--root", s.root, "--asset-dir", s.assetDir, "--asset", s.asset, "--crop", "0,0,256"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("master.tif"), r.err)
        XCTAssertEqual(r.out, "")

        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: "\(s.root)/originals/shoot/SKU-1_1.jpg"))
        XCTAssertThrowsError(try s.runner.make(asset: s.asset, assetDir: s.assetDir, kind: .original(800))) { error in
            XCTAssertTrue("\(error)".contains("cannot preview the original \(s.root)/originals/shoot/SKU-1_1.jpg"), "\(error)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: "\(s.root)/.work/previews/\(s.asset)")) ?? [], [],
                       "nothing half-written is left")

        XCTAssertThrowsError(try s.runner.make(asset: "../etc", assetDir: s.assetDir, kind: .master(800))) { error in
            XCTAssertTrue("\(error)".contains("not an asset id"), "\(error)")
        }
    }

    func testChildPastTheTimeoutIsStoppedAndItsSlotFreed() throws {
        let s = try Scratch()
        let runner = s.runner, asset = s.asset, assetDir = s.assetDir
        XCTAssertThrowsError(try runner.make(asset: s.asset, assetDir: s.assetDir, kind: .master(500), timeout: 0.001)) { error in
            XCTAssertTrue("\(error)".contains("longer than"), "\(error)")
        }
        // Both slots are free again: two more in parallel succeed.
        let group = DispatchGroup()
        nonisolated(unsafe) var made: [String?] = [nil, nil]
        for (i, w) in [300, 301].enumerated() {
            group.enter()
            DispatchQueue.global().async {
                made[i] = try? runner.make(asset: asset, assetDir: assetDir, kind: .master(w))
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(made.compactMap { $0 }.count, 2, "\(made)")
    }

    /// The tags of a little-endian TIFF's first directory.
    func tiffTags(_ path: String) throws -> Set<UInt16> {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        XCTAssertEqual(Array(b[0..<2]), [0x49, 0x49], "little-endian")
        let ifd = u32(4)
        return Set((0..<u16(ifd)).map { UInt16(u16(ifd + 2 + 12 * $0)) })
    }

    /// A stripped master is read whole before a region can be cut from it; a tiled one only where the crop is.
    func testMastersAreTiledSoACropReadsOnlyItsTiles() throws {
        let s = try Scratch()
        let tags = try tiffTags(s.master)
        XCTAssertTrue(tags.isSuperset(of: [322, 323, 324]), "TileWidth, TileLength, TileOffsets: \(tags.sorted())")
        XCTAssertFalse(tags.contains(273), "no StripOffsets")
    }

    func testKindsAreClampedAndCropParsed() {
        XCTAssertEqual(WorkbenchPreview.Kind.master(10).clamped, .master(64))
        XCTAssertEqual(WorkbenchPreview.Kind.original(99_999).clamped, .original(2400))
        XCTAssertEqual(WorkbenchPreview.Kind.crop(x: -5, y: 7, size: 9000).clamped, .crop(x: 0, y: 7, size: 1024))
        XCTAssertEqual(WorkbenchPreview.Kind.crop(x: 1, y: 2, size: 3).clamped, .crop(x: 1, y: 2, size: 64))
        XCTAssertEqual(WorkbenchPreview.Kind.crop(parsing: "12,34,512"), .crop(x: 12, y: 34, size: 512))
        XCTAssertNil(WorkbenchPreview.Kind.crop(parsing: "12,34"))
        XCTAssertNil(WorkbenchPreview.Kind.crop(parsing: "a,b,c"))
        XCTAssertEqual(WorkbenchPreview.Kind.crop(x: -1, y: 2, size: 300).arguments, ["--crop=-1,2,300"])
    }

    func testPruneKeepsTheNewestPreviewsAndDropsStaleTemporaries() throws {
        let dir = NSTemporaryDirectory() + "pp-prune-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Date()
        func file(_ name: String, age: Double) throws {
            _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data([1]))
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: "\(dir)/\(name)")
        }
        for i in 0..<70 { try file("crop-x\(i)-y0-s64-m1.0-b1.jpg", age: Double(1000 - i)) }
        try file(".crop-x1.jpg.tmp-123", age: 600)
        try file(".crop-x2.jpg.tmp-124", age: 5)
        WorkbenchPreview.prune(dir, keep: 64, now: now)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertEqual(left.filter { $0.hasSuffix(".jpg") }.count, 64)
        for i in 0..<6 { XCTAssertFalse(left.contains("crop-x\(i)-y0-s64-m1.0-b1.jpg"), "the oldest go: \(i)") }
        XCTAssertTrue(left.contains("crop-x69-y0-s64-m1.0-b1.jpg"))
        XCTAssertFalse(left.contains(".crop-x1.jpg.tmp-123"), "a killed child's leftover goes")
        XCTAssertTrue(left.contains(".crop-x2.jpg.tmp-124"), "one being written stays")
    }
}
