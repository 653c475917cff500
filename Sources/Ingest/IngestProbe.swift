import Foundation
import Imaging
import PipelineCore

/// The worker's half of ingest: hash the bytes and read the header, never the pixels.
public enum IngestProbe {
    public struct Result: Sendable {
        public var digest: DigestInfo
        public var source: SourceInfo?
        public var camera: CameraInfo?
        public var descriptive: DescriptiveMetadata?
        public var failure: StepFailure?
    }

    public static func run(path: String, maxPixels: Int) throws -> Result {
        let d = try FileDigest.of(path)
        var result = Result(digest: DigestInfo(sha256: d.sha256, bytes: d.bytes))
        if RawFrame.isRaw(path) {
            do {
                result.source = try probeRaw(path: path, bytes: d.bytes, maxPixels: maxPixels)
                result.camera = RawCameraMetadata.read(path)
            } catch let f as StepFailure { result.failure = f }
            return result
        }
        do {
            let (source, image) = try probe(path: path, bytes: d.bytes, maxPixels: maxPixels)
            result.source = source
            result.camera = CameraMetadata.read(image)
            result.descriptive = descriptive(image)
        } catch let f as StepFailure { result.failure = f }
        return result
    }

    /// XMP first (what tethering software writes), then IPTC for what XMP lacked.
    public static func descriptive(_ image: Image) -> DescriptiveMetadata? {
        var meta = DescriptiveMetadata()
        if let xmp = image.blob("xmp-data") { XMPReader.read(xmp, into: &meta) }
        if let iptc = image.blob("iptc-data") { IPTCReader.read(iptc, into: &meta) }
        return meta.isEmpty ? nil : meta
    }

    static func refuseEmpty(_ bytes: Int) throws {
        if bytes == 0 {
            throw StepFailure("empty_file", "The file is empty (0 bytes); the copy into the inbox probably failed. Copy it again.")
        }
    }

    /// A RAW frame's header through LibRaw: the size it develops to, upright.
    static func probeRaw(path: String, bytes: Int, maxPixels: Int) throws -> SourceInfo {
        try refuseEmpty(bytes)
        let header: RawFrame.Header
        do { header = try RawFrame.probe(path) }
        catch { throw StepFailure.unreadableRaw(error) }
        try PixelLimit.check(width: header.width, height: header.height, maxPixels: maxPixels)
        return SourceInfo(loader: "libraw", width: header.width, height: header.height, bands: 3, orientation: 1, hasICCProfile: false)
    }

    /// Header facts, with the pixel limit enforced before anything is decoded.
    public static func probe(path: String, bytes: Int, maxPixels: Int) throws -> (SourceInfo, Image) {
        try refuseEmpty(bytes)
        guard let loader = Image.loaderName(for: path) else {
            throw StepFailure("not_an_image", "The file's content is not an image format photopipe can read, whatever its extension says. Check the export settings of the capture software.")
        }
        guard ImageFormat.isAccepted(loader) else {
            throw StepFailure("format_not_accepted", ImageFormat.refusal(path: path, loader: loader))
        }
        let image: Image
        do { image = try Image.open(path) }
        catch { throw StepFailure("unreadable_header", "The image header cannot be read (\(error)). The file is damaged; export it again.") }
        let info = SourceInfo(loader: loader, width: image.width, height: image.height, bands: image.bands,
                              orientation: image.orientation, hasICCProfile: image.hasICCProfile)
        try PixelLimit.check(width: info.width, height: info.height, maxPixels: maxPixels)
        return (info, image)
    }

}
