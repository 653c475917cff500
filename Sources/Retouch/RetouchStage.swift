import Foundation
import Imaging
import PipelineCore

/// The retouch stage as its list of steps. Today: orient → sRGB → size the master → write it.
/// Background removal, colour normalisation, shadow and framing join this list as steps.
public enum RetouchStage {
    /// Lossless TIFF (zstd): writes in ~40% and reads in ~55% of the time of a level-1 PNG at 4000 px.
    public static let masterFile = "master.tif"

    public struct Context {
        public var image: Image
        public let settings: JobSettings
    }

    public typealias StepFn = @Sendable (inout Context) throws -> Void

    public static let steps: [(name: String, run: StepFn)] = [
        ("orient", orient),
        ("to-srgb", toSRGB),
        ("size-master", sizeMaster),
    ]

    /// Runs every step on the asset's original and writes the master into `assetDir`.
    public static func run(original: String, assetDir: String, settings: JobSettings) throws -> MasterInfo {
        let image: Image
        do { image = try Image.open(original) }
        catch { throw StepFailure("unreadable_header", "The original cannot be opened (\(error)). The file is damaged; export it again.") }
        try PixelLimit.check(width: image.width, height: image.height, maxPixels: settings.maxPixels)
        var ctx = Context(image: image, settings: settings)
        for step in steps {
            do { try step.run(&ctx) }
            catch let f as StepFailure { throw f }
            catch { throw decodeFailure(step.name, error, settings) }
        }
        // Materialise once: the master is written and hashed from memory, not decoded twice.
        do { ctx.image = try ctx.image.inMemory() }
        catch { throw decodeFailure("decode", error, settings) }
        let tmp = "\(assetDir)/.\(masterFile).\(getpid()).tmp.tif"
        do { try ctx.image.saveMasterTIFF(tmp) }
        catch { throw decodeFailure("write-master", error, settings) }
        guard rename(tmp, "\(assetDir)/\(masterFile)") == 0 else {
            throw StepFailure("write_failed", "Cannot write the master in \(assetDir): \(String(cString: strerror(errno))).")
        }
        let signature = try? PerceptualHash.signature(ctx.image)
        return MasterInfo(file: masterFile, width: ctx.image.width, height: ctx.image.height, signature: signature)
    }

    static func orient(_ c: inout Context) throws { c.image = try c.image.autorotated() }
    static func toSRGB(_ c: inout Context) throws { c.image = try c.image.toSRGB8() }
    static func sizeMaster(_ c: inout Context) throws {
        let long = max(c.image.width, c.image.height)
        guard long > c.settings.masterLongSide else { return }
        c.image = try c.image.resized(by: Double(c.settings.masterLongSide) / Double(long))
    }

    static func decodeFailure(_ step: String, _ error: Error, _ settings: JobSettings) -> StepFailure {
        .processing(step: step, detail: "\(error)", memoryLimitMB: settings.workerMemoryMB)
    }
}
