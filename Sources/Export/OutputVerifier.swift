import Foundation
import Imaging
import PipelineCore

/// Checks a written file against its channel's rules, reading it back from disk: pixel size,
/// byte size, format against extension, sRGB profile, no location or serial metadata, and for
/// white-background presets every border pixel exactly 255,255,255.
public enum OutputVerifier {
    /// - Parameter whiteBorder: check that every border pixel is white (packshots on white; not scenes).
    public static func check(path: String, preset p: ChannelPreset, whiteBorder: Bool? = nil) -> [String] {
        var problems: [String] = []
        let ext = splitExtension((path as NSString).lastPathComponent).ext.lowercased()
        if ext != p.format.fileExtension { problems.append("extension .\(ext) is not \(p.format.rawValue)'s .\(p.format.fileExtension)") }
        var st = stat()
        guard stat(path, &st) == 0 else { return problems + ["the file is missing"] }
        if Int(st.st_size) > p.maxBytes { problems.append("\(st.st_size) bytes is over the cap of \(p.maxBytes)") }
        guard let loader = Image.loaderName(for: path) else { return problems + ["the file is not a readable image"] }
        if !loader.lowercased().contains(p.format.loaderFamily) { problems.append("the content is not \(p.format.rawValue) (libvips reads it with \(loader))") }
        do {
            let image = try Image.open(path)
            if image.width != p.width || image.height != p.height {
                problems.append("\(image.width)×\(image.height) px instead of \(p.width)×\(p.height)")
            }
            if !image.hasSRGBProfile { problems.append("no sRGB profile embedded") }
            if image.hasField(containing: "exif-ifd3-") { problems.append("GPS data present") }
            if image.hasField(containing: "SerialNumber") {
                problems.append("a camera serial number present")
            }
            let wantBands = p.background == nil ? 4 : 3
            if image.bands != wantBands { problems.append("\(image.bands) bands instead of \(wantBands)") }
            if whiteBorder ?? p.requiresWhiteBorder {
                let low = try image.borderMinimum()
                if low < 255 { problems.append("the border is not pure white (darkest border value \(Int(low))): the product or its shadow reaches the edge") }
            }
        } catch {
            problems.append("cannot be decoded (\(error))")
        }
        return problems
    }
}
