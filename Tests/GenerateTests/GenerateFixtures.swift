import Foundation
import Generate
import Imaging
import PipelineCore
import Retouch
import XCTest

/// Real plates (Tests/Fixtures/plates, LICENSES there) and real retouched masters: photos of
/// Tests/Fixtures/real-photos through the retouch stage, as the daemon would make them.
enum GenerateFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures").standardized.path
    static let plates = "\(fixtures)/plates"

    /// The real photos retouched here: the red vase (DB-01) and a yellow rubber duck (DB-08).
    static let photos = ["vase": "DB-01", "duck": "DB-08"]

    static func folder(_ name: String, _ pid: Int32) -> String { NSTemporaryDirectory() + "pp-generate-\(name)-\(pid)" }

    /// A folder of the test's own; the test removes it.
    static func scratch() throws -> String {
        try Vips.start()
        let dir = NSTemporaryDirectory() + "pp-generate-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    nonisolated(unsafe) private static var retouched: [String: (dir: String, record: RetouchRecord)] = [:]

    /// master.tif and mask.png of one of `photos` (made once per test process) and its retouch record.
    static func retouch(_ name: String) throws -> (dir: String, record: RetouchRecord) {
        if let r = retouched[name] { return r }
        try Vips.start()
        let dir = folder(name, getpid())
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Shared by every test in the process, so removed when the process ends.
        if retouched.isEmpty {
            atexit { for name in GenerateFixtures.photos.keys { try? FileManager.default.removeItem(atPath: GenerateFixtures.folder(name, getpid())) } }
        }
        var settings = Config().retouch
        settings.matteNetwork = .on   // installed by scripts/install-deps.sh, as CI does; keying alone keeps a stray patch of sweep here
        var clock = StepClock()
        let photo = try XCTUnwrap(photos[name])
        let out = try RetouchStage.process(original: "\(fixtures)/real-photos/\(photo).jpg", settings: settings, maxPixels: 100_000_000,
                                           memoryLimitMB: 2048, clock: &clock)
        try out.masterImage.saveMasterTIFF("\(dir)/\(RetouchStage.masterFile)")
        try Image(out.mask).savePNG("\(dir)/\(RetouchStage.maskFile)")
        retouched[name] = (dir, out.record)
        return (dir, out.record)
    }

    static func vase() throws -> (dir: String, record: RetouchRecord) { try retouch("vase") }

    static func vaseProduct(heightCm: Double? = nil) throws -> MasterProduct { try product("vase", heightCm: heightCm) }

    static func product(_ name: String, heightCm: Double? = nil) throws -> MasterProduct {
        let v = try retouch(name)
        return try MasterProduct.open(assetDir: v.dir, retouch: v.record, heightCm: heightCm)
    }

    static func plate(_ name: String) throws -> ScenePlate {
        try SceneLibrary.loadPlate(sidecar: "\(plates)/\(name).toml")
    }

    /// Mean sRGB luminance (0–255) of a rectangle of an RGB buffer.
    static func meanLevel(_ p: PixelBuffer, x0: Int, y0: Int, x1: Int, y1: Int) -> Double {
        var s = 0.0, n = 0.0
        for y in max(0, y0)..<min(p.height, y1) { for x in max(0, x0)..<min(p.width, x1) {
            let i = (y * p.width + x) * p.bands
            s += 0.2126 * Double(p.data[i]) + 0.7152 * Double(p.data[i + 1]) + 0.0722 * Double(p.data[i + 2]); n += 1
        } }
        return n > 0 ? s / n : 0
    }
}
