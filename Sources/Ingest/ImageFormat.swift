import Foundation

/// What a file that libvips would not open for photopipe is, so the refusal names its format
/// rather than calling a good file damaged.
enum ImageFormat {
    /// The loaders photopipe opens (hardened, and what capture software writes), by short name;
    /// RAW goes through LibRaw before libvips is asked.
    static let accepted: Set<String> = ["jpeg", "png", "spng", "tiff", "webp", "heif"]

    /// `VipsForeignLoadJpegFile` → `jpeg`.
    static func short(_ loader: String) -> String {
        var s = Substring(loader)
        if s.hasPrefix("VipsForeignLoad") { s = s.dropFirst("VipsForeignLoad".count) }
        for tail in ["File", "Buffer", "Source"] where s.hasSuffix(tail) { s = s.dropLast(tail.count) }
        return s.lowercased()
    }

    static func isAccepted(_ loader: String) -> Bool { accepted.contains(short(loader)) }

    /// A name a person knows, from the file's first bytes (TGA has no signature: by loader).
    static func name(of path: String, loader: String) -> String {
        let head = [UInt8]((FileHandle(forReadingAtPath: path)?.readData(ofLength: 16)) ?? Data())
        func starts(_ s: [UInt8]) -> Bool { head.count >= s.count && Array(head.prefix(s.count)) == s }
        func text(_ s: String) -> Bool { starts(Array(s.utf8)) }
        if text("BM") { return "BMP" }
        if starts([0, 0, 1, 0]) { return "ICO" }
        if text("icns") { return "ICNS" }
        if text("GIF8") { return "GIF" }
        if text("8BPS") { return "Photoshop (PSD)" }
        if text("%PDF") { return "PDF" }
        if text("/* XPM */") { return "XPM" }
        if head.count >= 2, head[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(head[1]) { return "PPM/PGM (Netpbm)" }
        if text("<svg") || text("<?xml") { return "SVG" }
        if short(loader) == "magick" { return "TGA or other ImageMagick-only" }
        return short(loader).uppercased()
    }

    static func article(_ word: String) -> String {
        ("AEFHILMNORSX".contains(word.first ?? "B") ? "an " : "a ") + word
    }

    static func refusal(path: String, loader: String) -> String {
        "The file is \(article(name(of: path, loader: loader))) image (libvips' \(short(loader)) loader), a format photopipe does not take: it reads JPEG, TIFF, PNG, WebP, HEIF and camera RAW, and keeps other decoders off, as they are not hardened against files from outside. "
            + "Nothing is wrong with the file: export the frame as JPEG, TIFF, PNG or WebP from the capture software, or convert it (`vips copy FILE out.tif`) and drop that."
    }
}
