import CShims

/// Packed 8-bit pixels in Swift memory, row by row: the hand-over point between libvips
/// (decode, resize, encode) and the pixel policy written in plain Swift.
public struct PixelBuffer: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var bands: Int
    public var data: [UInt8]

    public init(width: Int, height: Int, bands: Int, data: [UInt8]) {
        precondition(data.count == width * height * bands)
        self.width = width; self.height = height; self.bands = bands; self.data = data
    }
    public init(width: Int, height: Int, bands: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, bands: bands, data: [UInt8](repeating: fill, count: width * height * bands))
    }
}

extension Image {
    /// Decodes this image into Swift memory; it must be 8-bit.
    public func pixels() throws -> PixelBuffer {
        var size = 0
        guard let raw = ppv_pixels(pointer, &size) else { throw ImagingError.fromVips("read pixels") }
        defer { ppv_free(raw) }
        let count = width * height * bands
        guard size == count else { throw ImagingError(message: "read pixels: \(size) bytes for \(width)×\(height)×\(bands)") }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: raw, count: count))
        return PixelBuffer(width: width, height: height, bands: bands, data: bytes)
    }

    /// An image made from Swift pixels (copied): sRGB with 3 or 4 bands, greyscale with 1.
    public convenience init(_ buffer: PixelBuffer) throws {
        try Vips.start()
        let made = buffer.data.withUnsafeBytes {
            ppv_from_pixels($0.baseAddress, $0.count, Int32(buffer.width), Int32(buffer.height), Int32(buffer.bands))
        }
        guard let p = made else { throw ImagingError.fromVips("image from pixels") }
        self.init(owning: p)
    }

    /// Opens with JPEG shrink-on-load (1, 2, 4 or 8); other formats open at full size.
    public static func open(_ path: String, shrink: Int, failOnTruncated: Bool = true) throws -> Image {
        try Vips.start()
        guard let p = ppv_open_shrunk(path, failOnTruncated ? 1 : 0, Int32(shrink)) else {
            throw ImagingError.fromVips("cannot open \(path)")
        }
        return Image(owning: p)
    }

    public func savePNG(_ path: String, compression: Int = 1) throws {
        guard ppv_pngsave(pointer, path, Int32(compression)) == 0 else { throw ImagingError.fromVips("save PNG \(path)") }
    }
}
