import Foundation

/// How one sales channel wants its files: canvas, fill, format, byte cap, metadata and names.
/// Built-ins come from docs/channels.md (`BuiltinPresets`); the config may override any field or add presets.
public struct ChannelPreset: Codable, Sendable, Equatable {
    public enum Format: String, Codable, Sendable, CaseIterable {
        case jpeg, png, webp, avif
        public var fileExtension: String {
            switch self {
            case .jpeg: "jpg"
            case .png: "png"
            case .webp: "webp"
            case .avif: "avif"
            }
        }
        /// Part of the name of the libvips loader that must recognise a file in this format.
        public var loaderFamily: String {
            switch self {
            case .jpeg: "jpeg"
            case .png: "png"
            case .webp: "webp"
            case .avif: "heif"
            }
        }
        public var supportsAlpha: Bool { self != .jpeg }
        /// Formats whose size depends on a quality setting (PNG is lossless).
        public var isLossy: Bool { self != .png }
    }

    public enum Gravity: String, Codable, Sendable, CaseIterable {
        case centre, top, bottom, left, right
    }

    public enum Metadata: String, Codable, Sendable, CaseIterable {
        /// Copyright, creator and description only (EXIF and XMP); GPS, serials and the rest stripped.
        case rights
        /// Nothing but the colour profile.
        case none
    }

    /// Which naming rules the channel enforces beyond the template.
    public enum Rules: String, Codable, Sendable, CaseIterable {
        case none, amazon
    }

    public var name: String
    public var width: Int
    public var height: Int
    /// The product's longest side against the canvas (bounded by both canvas sides).
    public var fill: Double
    /// The least fill accepted when the master is too small to reach `fill` without upscaling;
    /// below it the channel gets no file and the asset an exception. Equal to `fill` for marketplaces.
    public var minFill: Double
    public var gravity: Gravity = .centre
    /// sRGB background; nil means transparent (PNG, WebP, AVIF only).
    public var background: [Int]? = [255, 255, 255]
    public var format: Format = .jpeg
    public var quality: Int
    /// The byte cap is met by re-encoding at lower quality, down to this.
    public var qualityFloor: Int = 60
    /// JPEG chroma subsampling: true = 4:2:0, false = 4:4:4.
    public var chromaSubsampling = true
    public var maxBytes: Int
    public var metadata: Metadata = .rights
    /// File name template, e.g. `{ident}.{amazon}.{ext}` (see `NameTemplate`).
    public var nameTemplate: String
    /// Views this channel takes: `firstView` through `lastView` (nil = no upper bound).
    public var firstView = 1
    public var lastView: Int?
    public var rules: Rules = .none
    /// Writes a Shopify product CSV per batch beside the images.
    public var shopifyCSV = false

    public init(name: String, width: Int, height: Int, fill: Double, minFill: Double? = nil, quality: Int,
                maxBytes: Int, nameTemplate: String) {
        self.name = name; self.width = width; self.height = height; self.fill = fill; self.minFill = minFill ?? fill
        self.quality = quality; self.maxBytes = maxBytes; self.nameTemplate = nameTemplate
    }

    /// White-background presets must have every border pixel exactly 255,255,255.
    public var requiresWhiteBorder: Bool { background == [255, 255, 255] }

    public func takes(view: Int?) -> Bool {
        let v = view ?? 1
        return v >= firstView && v <= (lastView ?? Int.max)
    }

    /// Problems that make the preset unusable, for the config loader.
    public func problems() -> [String] {
        var out: [String] = []
        if background == nil && !format.supportsAlpha {
            out.append("a transparent background needs png, webp or avif, not \(format.rawValue)")
        }
        if minFill > fill { out.append("min_fill (\(minFill)) is above fill (\(fill))") }
        if let last = lastView, last < firstView { out.append("last_view (\(last)) is before first_view (\(firstView))") }
        if qualityFloor > quality { out.append("quality_floor (\(qualityFloor)) is above quality (\(quality))") }
        do {
            let template = try NameTemplate(nameTemplate)
            if !template.endsWithExtension { out.append("name '\(nameTemplate)' must end with .{ext}") }
        } catch { out.append("name: \(error)") }
        return out
    }
}
