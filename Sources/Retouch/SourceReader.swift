import Imaging
import PipelineCore

/// Reads an original as oriented 8-bit sRGB at the sizes the stage asks for. JPEGs are opened
/// again per size with shrink-on-load (a 1/8 decode costs a fraction of a full one); other
/// formats are decoded once and kept in memory.
final class SourceReader {
    let path: String
    /// Size after orientation, in source pixels.
    let width: Int, height: Int
    private let isJPEG: Bool
    private let isRaw: Bool
    private let maxPixels: Int
    private var decoded: Image?
    /// A RAW frame as LibRaw developed it, kept for the analysis copy and the regions.
    private var developed: PixelBuffer?

    init(path: String, maxPixels: Int) throws {
        self.path = path
        self.maxPixels = maxPixels
        isRaw = RawFrame.isRaw(path)
        if isRaw {
            let header: RawFrame.Header
            do { header = try RawFrame.probe(path) }
            catch { throw StepFailure.unreadableRaw(error) }
            try PixelLimit.check(width: header.width, height: header.height, maxPixels: maxPixels)
            // LibRaw develops the frame upright: no orientation is applied after it.
            width = header.width; height = header.height; isJPEG = false
            return
        }
        let header: Image
        do { header = try Image.open(path) }
        catch { throw StepFailure("unreadable_header", "The original cannot be opened (\(error)). The file is damaged; export it again.") }
        try PixelLimit.check(width: header.width, height: header.height, maxPixels: maxPixels)
        let swapped = (5...8).contains(header.orientation)
        width = swapped ? header.height : header.width
        height = swapped ? header.width : header.height
        isJPEG = Image.loaderName(for: path)?.contains("Jpeg") ?? false
    }

    var longSide: Int { max(width, height) }

    /// The oriented sRGB image, decoded at 1/shrink of its size where the format allows.
    func oriented(shrink: Int) throws -> Image {
        if !isJPEG, let decoded { return decoded }
        if isRaw {
            // LibRaw's output is sRGB already; a monochrome sensor's grey is spread to three bands.
            let pixels = try rawPixels()
            let image = pixels.bands == 3 ? try Image(pixels) : try Image(pixels).toSRGB8().inMemory()
            decoded = image
            developed = nil // the analysis copy is made; libvips holds its own copy now
            return image
        }
        var image = try Image.open(path, shrink: isJPEG ? shrink : 1).autorotated().toSRGB8()
        if image.hasAlpha { image = try image.flattened(on: .white) }
        if !isJPEG { image = try image.inMemory(); decoded = image }
        return image
    }

    /// The largest JPEG shrink (8, 4, 2, 1) that keeps `needed` pixels along a side of `side`.
    static func shrink(side: Int, needed: Int) -> Int {
        [8, 4, 2].first { side / $0 >= needed } ?? 1
    }

    /// The developed RAW frame (developed once).
    private func rawPixels() throws -> PixelBuffer {
        if let developed { return developed }
        do { developed = try RawFrame.develop(path, maxPixels: maxPixels) }
        catch { throw StepFailure("raw_decode_failed", "The RAW file cannot be developed (\(error)). Copy it again from the camera or the tether folder; if it opens in the camera maker's software, export a TIFF.") }
        return developed!
    }

    /// The whole frame with its long side at most `longSide`.
    func analysisPixels(longSide target: Int) throws -> PixelBuffer {
        // An area average in Swift: a fraction of the time libvips takes to resize a developed RAW frame.
        if isRaw { return try rawPixels().reducedOnWhite(longSide: target) }
        let image = try oriented(shrink: SourceReader.shrink(side: longSide, needed: target))
        let long = max(image.width, image.height)
        let sized = long > target ? try image.resized(by: Double(target) / Double(long)) : image
        return try sized.pixels()
    }

    struct Region { var pixels: PixelBuffer; var frameWidth: Int; var frameHeight: Int; var originX: Int; var originY: Int; var scale: Double }

    /// A region given in source pixels, at the largest scale ≤ 1 whose long side fits `maxLong`.
    func region(x: Int, y: Int, width w: Int, height h: Int, maxLong: Int) throws -> Region {
        let cropLong = max(w, h)
        let k = SourceReader.shrink(side: cropLong, needed: min(maxLong, cropLong))
        let image = try oriented(shrink: k)
        let s = Double(image.width) / Double(width)
        let fx = min(Int((Double(x) * s).rounded(.down)), image.width - 1)
        let fy = min(Int((Double(y) * s).rounded(.down)), image.height - 1)
        let fw = min(Int((Double(x + w) * s).rounded(.up)), image.width) - fx
        let fh = min(Int((Double(y + h) * s).rounded(.up)), image.height) - fy
        var crop = try image.cropped(x: fx, y: fy, width: fw, height: fh)
        var frameW = image.width, frameH = image.height, ox = fx, oy = fy, scale = s
        if max(fw, fh) > maxLong {
            let r = Double(maxLong) / Double(max(fw, fh))
            crop = try crop.resized(by: r)
            frameW = Int((Double(frameW) * r).rounded()); frameH = Int((Double(frameH) * r).rounded())
            ox = Int((Double(fx) * r).rounded()); oy = Int((Double(fy) * r).rounded()); scale *= r
        }
        return Region(pixels: try crop.pixels(), frameWidth: frameW, frameHeight: frameH, originX: ox, originY: oy, scale: scale)
    }
}
