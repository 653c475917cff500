import CShims
import Foundation

/// The single Swift owner of a libexif `ExifData`, parsed from the blob libvips read from the header.
public final class ExifBlock {
    private let data: UnsafeMutablePointer<ExifData>

    public init?(blob: Data) {
        guard let d = blob.withUnsafeBytes({ raw -> UnsafeMutablePointer<ExifData>? in
            pp_exif_parse(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
        }) else { return nil }
        data = d
    }

    deinit { pp_exif_unref(data) }

    /// The tag's value as text (for ASCII tags, the text itself).
    public func text(_ tag: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        guard pp_exif_text(data, tag, &buffer, UInt32(buffer.count)) == 1 else { return nil }
        return String(cString: buffer)
    }

    /// The tag's first component as a number.
    public func number(_ tag: Int32) -> Double? {
        var v = 0.0
        return pp_exif_number(data, tag, &v) == 1 && v.isFinite ? v : nil
    }

    public var gpsEntries: Int { Int(pp_exif_gps_entries(data)) }
    public var entryCount: Int { Int(pp_exif_entry_count(data)) }
}

extension Image {
    /// A metadata blob from the header: "exif-data", "xmp-data", "iptc-data", "icc-profile-data".
    public func blob(_ name: String) -> Data? {
        var length = 0
        guard let p = ppv_blob(pointer, name, &length), length > 0 else { return nil }
        return Data(bytes: p, count: length)
    }
}

/// EXIF tag numbers used by photopipe (EXIF 2.32).
public enum ExifTag {
    public static let make: Int32 = 0x010F, model: Int32 = 0x0110, orientation: Int32 = 0x0112
    public static let software: Int32 = 0x0131, artist: Int32 = 0x013B, copyright: Int32 = 0x8298
    public static let exposureTime: Int32 = 0x829A, fNumber: Int32 = 0x829D, iso: Int32 = 0x8827
    public static let dateTimeOriginal: Int32 = 0x9003, offsetTimeOriginal: Int32 = 0x9011
    public static let subSecTimeOriginal: Int32 = 0x9291, focalLength: Int32 = 0x920A
    public static let bodySerialNumber: Int32 = 0xA431, lensModel: Int32 = 0xA434
}
