import CShims

/// The single Swift owner of a `VipsImage`; releases it on deinit.
public final class Image {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(owning pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }
    deinit { ppv_unref(pointer) }

    public var width: Int { Int(ppv_width(pointer)) }
    public var height: Int { Int(ppv_height(pointer)) }
    public var bands: Int { Int(ppv_bands(pointer)) }
    public var orientation: Int { Int(ppv_orientation(pointer)) }
    public var hasICCProfile: Bool { ppv_has_icc(pointer) != 0 }
    public var hasAlpha: Bool { ppv_has_alpha(pointer) != 0 }

    /// Opens a file lazily: only the header is read until pixels are needed.
    /// With `failOnTruncated`, a truncated or corrupt stream is an error at decode time.
    public static func open(_ path: String, failOnTruncated: Bool = true) throws -> Image {
        try Vips.start() // libvips crashes on use before its initialisation
        guard let p = ppv_open(path, failOnTruncated ? 1 : 0) else {
            throw ImagingError.fromVips("cannot open \(path)")
        }
        return Image(owning: p)
    }

    /// For one read from the top down: a JPEG is decoded only as far as the last row used, with no
    /// whole-image buffer (a crop near the top of a large file costs a fraction of a full decode).
    public static func openSequential(_ path: String) throws -> Image {
        try Vips.start()
        guard let p = ppv_open_sequential(path) else { throw ImagingError.fromVips("cannot open \(path)") }
        return Image(owning: p)
    }

    /// The name of the libvips loader that would read this file, or nil when it is not an image.
    public static func loaderName(for path: String) -> String? {
        guard (try? Vips.start()) != nil else { return nil }
        guard let name = ppv_find_loader(path) else {
            _ = ppv_error_copy().map { ppv_free($0) }
            return nil
        }
        return String(cString: name)
    }

    static func make(_ context: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32) throws -> Image {
        var out: UnsafeMutablePointer<VipsImage>?
        guard body(&out) == 0, let result = out else { throw ImagingError.fromVips(context) }
        return Image(owning: result)
    }

    public func autorotated() throws -> Image { try Image.make("autorotate") { ppv_autorot(pointer, $0) } }
    public func toSRGB8() throws -> Image { try Image.make("convert to sRGB") { ppv_to_srgb8(pointer, $0) } }
    public func resized(by scale: Double) throws -> Image { try Image.make("resize") { ppv_resize(pointer, $0, scale) } }
    public func flattened(on colour: RGB) throws -> Image {
        try Image.make("flatten") { ppv_flatten(pointer, $0, colour.r, colour.g, colour.b) }
    }
    public func embedded(x: Int, y: Int, width: Int, height: Int, background: RGB) throws -> Image {
        try Image.make("embed") {
            ppv_embed(pointer, $0, Int32(x), Int32(y), Int32(width), Int32(height), background.r, background.g, background.b)
        }
    }
    /// Decodes the whole image into memory, so later operations read it once.
    public func inMemory() throws -> Image { try Image.make("decode") { ppv_copy_memory(pointer, $0) } }
    public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> Image {
        try Image.make("crop") { ppv_crop(pointer, $0, Int32(x), Int32(y), Int32(width), Int32(height)) }
    }
    /// The band values of one pixel.
    public func pixel(x: Int, y: Int) throws -> [Double] {
        var values = [Double](repeating: 0, count: 16)
        let n = ppv_getpoint(pointer, Int32(x), Int32(y), &values, 16)
        guard n >= 0 else { throw ImagingError.fromVips("read pixel \(x),\(y)") }
        return Array(values.prefix(Int(n)))
    }
    /// An sRGB thumbnail of exactly width×height pixels, row by row, 3 bytes a pixel.
    public func rgbThumbnail(width: Int, height: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        guard ppv_rgb_thumbnail(pointer, Int32(width), Int32(height), &out) == 0 else { throw ImagingError.fromVips("thumbnail") }
        return out
    }
    /// Mean of each band.
    public func bandMeans() throws -> [Double] { try (0..<bands).map { try band($0).average() } }
    public func average() throws -> Double {
        var v = 0.0
        guard ppv_avg(pointer, &v) == 0 else { throw ImagingError.fromVips("average") }
        return v
    }

    /// `optimizeCoding`: Huffman tables made for this image (a second pass, 1–2 % smaller). Worth it
    /// for files that are delivered, not for intermediates that are decoded again.
    public func saveJPEG(_ path: String, quality: Int, strip: Bool = true, chromaSubsampling: Bool = true, optimizeCoding: Bool = true) throws {
        guard ppv_jpegsave(pointer, path, Int32(quality), strip ? 1 : 0, chromaSubsampling ? 0 : 1, optimizeCoding ? 1 : 0) == 0 else {
            throw ImagingError.fromVips("save JPEG \(path)")
        }
    }
    /// Lossless and quick to write and read back (zstd TIFF, 256-pixel tiles so a region is read
    /// without the rest): for masters, not for delivery.
    public func saveMasterTIFF(_ path: String) throws {
        guard ppv_tiffsave_zstd(pointer, path) == 0 else { throw ImagingError.fromVips("save TIFF \(path)") }
    }
    public func setOrientation(_ value: Int) { _ = ppv_set_orientation(pointer, Int32(value)) }
}

public struct RGB: Sendable, Equatable, Codable {
    public var r: Double, g: Double, b: Double
    public init(_ r: Double, _ g: Double, _ b: Double) { self.r = r; self.g = g; self.b = b }
    public static let white = RGB(255, 255, 255)
}
