import Foundation

/// Headers declaring more pixels than the limit are refused before any decode:
/// a few hundred bytes can declare a 10-gigapixel image.
public enum PixelLimit {
    public static func check(width: Int, height: Int, maxPixels: Int) throws {
        let pixels = width.multipliedReportingOverflow(by: height)
        if pixels.overflow || pixels.partialValue > maxPixels {
            let mp = Double(width) * Double(height) / 1e6
            throw StepFailure("pixel_limit", String(format: "The header declares %d×%d pixels (%.0f MP), above the limit of %.0f MP; it was not decoded. If the image is genuine, raise limits.max_pixels.", width, height, mp, Double(maxPixels) / 1e6))
        }
    }
}
