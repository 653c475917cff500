import Foundation
import Imaging
import PipelineCore
import Retouch

/// Rendering, with libvips: only in the `photopiped preview` child (or a test), never in the daemon.
extension WorkbenchPreview {
    /// The cached preview's path; made first unless it is there (a hit decodes nothing).
    public func make(asset: String, assetDir: String, kind: Kind) throws -> String {
        let path = try cachePath(asset: asset, assetDir: assetDir, kind: kind)
        if FileOps.exists(path) { return path }
        let source = try self.source(assetDir: assetDir, kind: kind)
        let dir = directory(asset: asset)
        do { try FileOps.makeDirectory(dir) }
        catch { throw Failure("cannot make the preview folder \(dir): \(error)") }
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        do {
            let (image, quality, subsample) = try render(kind.clamped, from: source)
            try image.saveJPEG(tmp, quality: quality, chromaSubsampling: subsample)
        } catch {
            unlink(tmp)
            throw Failure("cannot preview the \(kind.fromOriginal ? "original" : "master") \(source): \(error)")
        }
        guard rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw Failure("cannot write \(path): \(why)")
        }
        Self.prune(dir)
        return path
    }

    /// The picture as a lazy libvips pipeline (decoded while the JPEG is written), with its JPEG settings.
    func render(_ kind: Kind, from source: String) throws -> (Image, quality: Int, subsample: Bool) {
        switch kind {
        case .master(let width):
            return (try onWhite(try Image.open(source).toSRGB8()).shrunk(toWidth: width), 85, true)
        case .original(let width):
            let upright = try RetouchStage.orientedSRGB(original: source, maxPixels: Self.maxPixels, atLeastWidth: width)
            return (try upright.shrunk(toWidth: width), 85, true)
        case .crop(let x, let y, let size):
            let master = try Image.open(source)
            let side = min(size, master.width, master.height)
            let left = min(x, master.width - side), top = min(y, master.height - side)
            let cut = try master.cropped(x: left, y: top, width: side, height: side)
            // Full chroma: the cut is for judging dust and edges at 100 %.
            return (try onWhite(try cut.toSRGB8()), 90, false)
        }
    }

    private func onWhite(_ image: Image) throws -> Image {
        image.hasAlpha ? try image.flattened(on: .white) : image
    }
}

extension Image {
    /// At most `width` wide, never enlarged.
    func shrunk(toWidth width: Int) throws -> Image {
        guard self.width > width else { return self }
        let smaller = try resized(by: Double(width) / Double(self.width))
        // libvips rounds the output size; never hand back a column more than asked.
        return smaller.width > width ? try smaller.cropped(x: 0, y: 0, width: width, height: smaller.height) : smaller
    }
}
