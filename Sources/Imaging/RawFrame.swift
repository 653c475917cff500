import CRaw
import Foundation

/// Camera RAW files (CR2, CR3, NEF, ARW, RAF, DNG, ORF, RW2, IIQ…), developed by LibRaw with the
/// camera's white balance into upright 8-bit sRGB. libvips would open many of them as TIFF and
/// hand back an embedded preview or the undeveloped sensor data, so RAW names never reach it.
public enum RawFrame {
    /// The extensions LibRaw 0.20 develops; `ingest.image_extensions` decides which the inbox takes.
    public static let extensions: Set<String> = [
        "3fr", "arw", "cr2", "cr3", "crw", "dcr", "dng", "erf", "fff", "iiq", "k25", "kdc", "mef", "mos", "mrw",
        "nef", "nrw", "orf", "pef", "raf", "raw", "ptx", "rw2", "rwl", "sr2", "srf", "srw",
    ]

    public static func isRaw(_ path: String) -> Bool {
        extensions.contains((path as NSString).pathExtension.lowercased())
    }

    public struct Header: Sendable { public var width: Int; public var height: Int }

    /// The developed frame's size, from the header alone.
    public static func probe(_ path: String) throws -> Header {
        var w: Int32 = 0, h: Int32 = 0, flip: Int32 = 0
        var err = [CChar](repeating: 0, count: 256)
        guard pp_raw_probe(path, &w, &h, &flip, &err, err.count) == 0 else { throw ImagingError(message: String(cString: err)) }
        return Header(width: Int(w), height: Int(h))
    }

    /// Develops the whole frame; refuses, before unpacking, one larger than `maxPixels`.
    public static func develop(_ path: String, maxPixels: Int) throws -> PixelBuffer {
        var raw = pp_raw_image()
        var err = [CChar](repeating: 0, count: 256)
        guard pp_raw_decode(path, Int64(maxPixels), 0, &raw, &err, err.count) == 0 else {
            throw ImagingError(message: String(cString: err))
        }
        defer { pp_raw_free(&raw) }
        let count = Int(raw.width) * Int(raw.height) * Int(raw.bands)
        let bytes = [UInt8](UnsafeBufferPointer(start: raw.pixels, count: count))
        return PixelBuffer(width: Int(raw.width), height: Int(raw.height), bands: Int(raw.bands), data: bytes)
    }

    public struct Metadata: Sendable {
        public var make = "", model = "", lens = "", bodySerial = "", artist = ""
        public var iso = 0.0, shutter = 0.0, aperture = 0.0, focalLength = 0.0
        /// "YYYY:MM:DD HH:MM:SS" as the camera wrote it, or "".
        public var captureTime = ""
    }

    public static func metadata(_ path: String) throws -> Metadata {
        var m = pp_raw_metadata()
        var err = [CChar](repeating: 0, count: 256)
        guard pp_raw_read_metadata(path, &m, &err, err.count) == 0 else { throw ImagingError(message: String(cString: err)) }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        // Through the shortest decimal form: 6.3, not 6.300000190734863.
        func number(_ f: Float) -> Double { Double(String(describing: f)) ?? Double(f) }
        return Metadata(make: text(m.make), model: text(m.model), lens: text(m.lens), bodySerial: text(m.body_serial),
                        artist: text(m.artist), iso: number(m.iso), shutter: number(m.shutter), aperture: number(m.aperture),
                        focalLength: number(m.focal_length), captureTime: text(m.capture_time))
    }
}
