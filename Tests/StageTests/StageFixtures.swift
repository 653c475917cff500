import Foundation
import Imaging
import SampleShots
import PipelineCore
import XCTest

/// A temporary folder with one synthetic studio frame in it, and ways to vary it.
final class StageScratch {
    let dir: String

    init() throws {
        try Vips.start()
        dir = NSTemporaryDirectory() + "pp-stage-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// A 1200×800 studio frame: a red product on a light sweep.
    func frame(_ name: String = "frame.jpg", width: Int = 1200, height: Int = 800, orientation: Int? = nil) throws -> String {
        let path = "\(dir)/\(name)"
        var f = StudioFrame(width: width, height: height)
        f.noiseSigma = 0
        let image = try f.render()
        if let o = orientation { image.setOrientation(o) }
        try image.saveJPEG(path, quality: 95, strip: orientation == nil)
        return path
    }

    /// Converts with the `vips` command line (libvips-tools), as another program would have written the file.
    func vips(_ args: [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/vips")
        p.arguments = args
        try? p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "vips \(args.joined(separator: " "))")
    }

    func settings(maxPixels: Int = 200_000_000, masterLongSide: Int = 4000) -> JobSettings {
        var c = Config()
        c.maxPixels = maxPixels
        c.retouch.masterLongSide = masterLongSide
        return JobSettings(c)
    }

    func assetDir(_ name: String) throws -> String {
        let d = "\(dir)/\(name)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
