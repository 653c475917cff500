import Foundation

/// Amazon's image file names: `IDENT.MAIN.jpg`, `IDENT.PT01.jpg`…`IDENT.PT08.jpg`, `IDENT.SWCH.jpg`.
/// Parts are separated by periods; a dash, space or underscore in them makes the upload fail.
public enum AmazonNaming {
    public static let maxAlternates = 8
    public static let codes: Set<String> = Set(["MAIN", "SWCH", "TOPP", "BOTT", "LEFT", "RGHT", "FRNT", "BACK", "SIDE", "PAIR"]
        + (1...maxAlternates).map { String(format: "PT%02d", $0) })
    static let extensions: Set<String> = ["jpg", "jpeg", "tif", "tiff", "png", "gif"]

    /// View 1 is MAIN, views 2–9 are PT01–PT08, the swatch view is SWCH; any other view has no name.
    public static func variantCode(view: Int, swatchView: Int?) -> String? {
        if view == swatchView { return "SWCH" }
        if view == 1 { return "MAIN" }
        if view >= 2 && view <= maxAlternates + 1 { return String(format: "PT%02d", view - 1) }
        return nil
    }

    /// Why Amazon would refuse this name, or nil when it is acceptable.
    public static func problem(with name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            return "Amazon names are IDENT.CODE.ext with two periods; '\(name)' has \(parts.count - 1)"
        }
        let (ident, code, ext) = (parts[0], parts[1], parts[2])
        if ident.isEmpty || !ident.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            return "the product identifier '\(ident)' in '\(name)' must be an ASIN, EAN, UPC or ISBN: letters and digits only (no dash, space or underscore)"
        }
        if !codes.contains(code) {
            return "'\(code)' in '\(name)' is not an Amazon image code (MAIN, PT01–PT08, SWCH, …); a dash, space or underscore there blocks the upload"
        }
        if !extensions.contains(ext.lowercased()) { return "Amazon does not take .\(ext) files" }
        return nil
    }
}
