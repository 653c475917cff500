import Foundation
import Imaging
import PipelineCore

/// The export stage: one preset today (a square JPEG on white, fit and pad, never upscaled).
/// Outputs are written inside the asset directory under `out/<channel>/`; the supervisor
/// then links them into `export/<channel>/`.
public enum ExportStage {
    public struct Preset: Sendable {
        public var channel: String
        public var size: Int
        public var quality: Int
        public var background = RGB.white
        public var memoryLimitMB = 0
        public init(channel: String, size: Int, quality: Int) { self.channel = channel; self.size = size; self.quality = quality }
    }

    public static func fileName(for m: Manifest) -> String {
        let stem = Sanitizer.component(splitExtension(m.sourceName).stem, fallback: m.id)
        return "\(stem).jpg"
    }

    public static func run(assetDir: String, manifest m: Manifest, preset p: Preset) throws -> [OutputRecord] {
        guard let master = m.master else {
            throw StepFailure("no_master", "The asset has no retouched master; retry it from retouch.")
        }
        let image: Image
        do { image = try Image.open("\(assetDir)/\(master.file)") }
        catch { throw StepFailure("master_unreadable", "The master cannot be read (\(error)); retry the asset from retouch.") }
        let outDir = "\(assetDir)/out/\(p.channel)"
        try FileOps.makeDirectory(outDir)
        let name = fileName(for: m)
        let path = "\(outDir)/\(name)"
        do {
            let fitted = try fit(image, size: p.size, background: p.background)
            let tmp = "\(outDir)/.\(name).\(getpid()).tmp.jpg"
            try fitted.saveJPEG(tmp, quality: p.quality)
            guard rename(tmp, path) == 0 else { throw FileSystemError("cannot rename \(tmp)") }
        } catch let e as FileSystemError {
            throw StepFailure("write_failed", "Cannot write the export: \(e).")
        } catch {
            throw StepFailure.processing(step: "export-\(p.channel)", detail: "\(error)", memoryLimitMB: p.memoryLimitMB)
        }
        let digest = try FileDigest.of(path)
        return [OutputRecord(channel: p.channel, path: "out/\(p.channel)/\(name)", bytes: digest.bytes,
                             width: p.size, height: p.size, sha256: digest.sha256)]
    }

    /// Scales down to fit (never up), flattens any alpha onto the background, pads to the canvas, centred.
    public static func fit(_ image: Image, size: Int, background: RGB) throws -> Image {
        let scale = min(1.0, Double(size) / Double(image.width), Double(size) / Double(image.height))
        var img = scale < 1.0 ? try image.resized(by: scale) : image
        if img.hasAlpha { img = try img.flattened(on: background) }
        let w = min(img.width, size), h = min(img.height, size)
        return try img.embedded(x: (size - w) / 2, y: (size - h) / 2, width: size, height: size, background: background)
    }
}
