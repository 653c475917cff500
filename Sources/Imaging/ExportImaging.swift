import CShims
import Foundation

/// The operations the export stage needs: metadata policy, encoding to memory, checks on written files.
extension Image {
    public enum EncodeFormat: Int32, Sendable { case jpeg = 0, png = 1, webp = 2, avif = 3 }

    /// Resamples with alpha premultiplied (transparent canvases): edges keep their colour.
    public func resizedPremultiplied(by scale: Double) throws -> Image {
        try Image.make("resize") { ppv_resize_premultiplied(pointer, $0, scale) }
    }

    /// Bicubic resampling: for channel renders (within a tenth of a level of Lanczos on average, quicker).
    public func resizedCubic(by scale: Double) throws -> Image { try Image.make("resize") { ppv_resize_cubic(pointer, $0, scale) } }

    /// The box (x, y, width, height) holding every pixel whose alpha is above zero; nil when none is.
    public func alphaBounds() throws -> [Int]? {
        var l: Int32 = 0, t: Int32 = 0, w: Int32 = 0, h: Int32 = 0
        guard ppv_alpha_bounds(pointer, &l, &t, &w, &h) == 0 else { throw ImagingError.fromVips("alpha bounds") }
        return w > 0 ? [Int(l), Int(t), Int(w), Int(h)] : nil
    }

    /// Places the image on a transparent width×height canvas.
    public func embeddedTransparent(x: Int, y: Int, width: Int, height: Int) throws -> Image {
        try Image.make("embed") { ppv_embed_clear(pointer, $0, Int32(x), Int32(y), Int32(width), Int32(height)) }
    }

    /// A copy carrying only the sRGB profile, the given XMP packet and EXIF Artist/Copyright/ImageDescription.
    public func withExportMetadata(xmp: String?, artist: String?, copyright: String?, description: String?) throws -> Image {
        try Image.make("set metadata") { ppv_export_metadata(pointer, $0, xmp, artist, copyright, description) }
    }

    /// The encoded file, in memory.
    public func encoded(_ format: EncodeFormat, quality: Int, chromaSubsampling: Bool) throws -> Data {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard ppv_encode(pointer, format.rawValue, Int32(quality), chromaSubsampling ? 1 : 0, &buffer, &length) == 0,
              let buffer else { throw ImagingError.fromVips("encode") }
        defer { ppv_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    /// Whether the embedded ICC profile is exactly libvips' sRGB profile.
    public var hasSRGBProfile: Bool { ppv_icc_is_srgb(pointer) == 1 }

    /// Whether any metadata field name contains `text` (libvips names GPS fields `exif-ifd3-…`).
    public func hasField(containing text: String) -> Bool { ppv_has_field_containing(pointer, text) == 1 }

    /// A metadata text field, e.g. `exif-ifd0-Copyright` (libvips' form: "value (value, ASCII, …)").
    public func text(_ field: String) -> String? {
        guard let p = ppv_get_text(pointer, field) else { return nil }
        defer { ppv_free(p) }
        return String(cString: p)
    }

    /// Sets a metadata text field; EXIF fields take effect when the image is saved without stripping.
    public func setText(_ field: String, _ value: String) { ppv_set_text(pointer, field, value) }

    /// The smallest band value along the one-pixel ring at the image's edges.
    public func borderMinimum() throws -> Double {
        var m = 0.0
        guard ppv_border_min(pointer, &m) == 0 else { throw ImagingError.fromVips("read border") }
        return m
    }
}
