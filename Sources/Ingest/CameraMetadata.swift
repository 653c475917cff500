import Foundation
import Imaging
import PipelineCore

/// Reads EXIF through libexif from the header blob libvips hands out, and keeps only
/// what is sane: hostile or corrupt values are noted in `ignored`, never trusted.
public enum CameraMetadata {
    static let maxText = 200
    static let maxEntries = 2000

    public static func read(_ image: Image) -> CameraInfo? {
        guard let blob = image.blob("exif-data") else { return nil }
        var info = CameraInfo()
        info.ignored = ExifStructure.audit(blob)
        guard let exif = ExifBlock(blob: blob) else {
            info.ignored.append("EXIF block (\(blob.count) bytes) could not be parsed")
            return info
        }
        if exif.entryCount > maxEntries { info.ignored.append("EXIF holds \(exif.entryCount) entries; only the known tags were read") }
        info.make = text(exif, ExifTag.make, "Make", &info.ignored)
        info.model = text(exif, ExifTag.model, "Model", &info.ignored)
        info.bodySerial = text(exif, ExifTag.bodySerialNumber, "BodySerialNumber", &info.ignored)
        info.lens = text(exif, ExifTag.lensModel, "LensModel", &info.ignored)
        info.software = text(exif, ExifTag.software, "Software", &info.ignored)
        info.artist = text(exif, ExifTag.artist, "Artist", &info.ignored)
        info.copyright = text(exif, ExifTag.copyright, "Copyright", &info.ignored)
        if let o = exif.number(ExifTag.orientation) {
            if (1...8).contains(o) && o == o.rounded() { info.orientation = Int(o) }
            else { info.ignored.append("Orientation \(o) is not 1–8; treated as upright") }
        }
        info.exposureTime = positive(exif.number(ExifTag.exposureTime), "ExposureTime", &info.ignored)
        info.fNumber = positive(exif.number(ExifTag.fNumber), "FNumber", &info.ignored)
        info.iso = positive(exif.number(ExifTag.iso), "ISO", &info.ignored)
        info.focalLength = positive(exif.number(ExifTag.focalLength), "FocalLength", &info.ignored)
        if let raw = text(exif, ExifTag.dateTimeOriginal, "DateTimeOriginal", &info.ignored) {
            if let t = captureTime(raw, subSeconds: text(exif, ExifTag.subSecTimeOriginal, "SubSecTimeOriginal", &info.ignored),
                                   offset: text(exif, ExifTag.offsetTimeOriginal, "OffsetTimeOriginal", &info.ignored)) {
                info.captureTime = t
            } else {
                info.ignored.append("DateTimeOriginal '\(raw)' is not a date")
            }
        }
        info.gpsPresent = exif.gpsEntries > 0
        return info
    }

    /// Printable text only, trimmed and bounded; empty values count as absent.
    static func text(_ exif: ExifBlock, _ tag: Int32, _ name: String, _ ignored: inout [String]) -> String? {
        guard let raw = exif.text(tag) else { return nil }
        let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
            .trimmingCharacters(in: .whitespaces)
        if cleaned.isEmpty { return nil }
        if cleaned.count > maxText {
            ignored.append("\(name) is \(cleaned.count) characters; kept the first \(maxText)")
            return String(cleaned.prefix(maxText))
        }
        return cleaned
    }

    static func positive(_ v: Double?, _ name: String, _ ignored: inout [String]) -> Double? {
        guard let v else { return nil }
        if v > 0 && v < 1e7 { return v }
        ignored.append("\(name) \(v) is out of range")
        return nil
    }

    /// "2026:11:29 13:45:07" + "123" + "+01:00" → "2026-11-29T13:45:07.123+01:00".
    public static func captureTime(_ raw: String, subSeconds: String?, offset: String?) -> String? {
        let c = Array(raw.utf8)
        guard c.count >= 19 else { return nil }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard c[i] >= 48 && c[i] <= 57 else { return nil }; v = v * 10 + Int(c[i] - 48) }
            return v
        }
        guard let y = digits(0..<4), let mo = digits(5..<7), let d = digits(8..<10),
              let h = digits(11..<13), let mi = digits(14..<16), let s = digits(17..<19),
              (1900...2200).contains(y), (1...12).contains(mo), (1...31).contains(d),
              h < 24, mi < 60, s < 61 else { return nil }
        var out = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s)
        if let sub = subSeconds, !sub.isEmpty, sub.allSatisfy(\.isNumber) { out += "." + sub.prefix(6) }
        if let off = offset, off.count == 6, (off.hasPrefix("+") || off.hasPrefix("-")),
           Array(off)[3] == ":", off.dropFirst().replacingOccurrences(of: ":", with: "").allSatisfy(\.isNumber) {
            out += off
        }
        return out
    }
}
