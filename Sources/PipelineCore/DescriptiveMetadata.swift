import Foundation

/// Title, description, keywords and job identifiers that capture software (Capture One,
/// Lightroom) writes as XMP or IPTC, and that studios use to carry the SKU.
public struct DescriptiveMetadata: Codable, Sendable, Equatable {
    public var title: String?
    public var description: String?
    public var keywords: [String] = []
    /// IPTC Job Identifier (XMP photoshop:TransmissionReference, IIM 2:103).
    public var jobIdentifier: String?
    public var creatorTool: String?
    public var creator: String?
    public var copyright: String?
    /// Every simple XMP property found, by qualified name (e.g. "photoshop:TransmissionReference").
    public var xmp: [String: String] = [:]
    public var ignored: [String] = []

    public init() {}

    public var isEmpty: Bool {
        title == nil && description == nil && keywords.isEmpty && jobIdentifier == nil && creatorTool == nil
            && creator == nil && copyright == nil && xmp.isEmpty && ignored.isEmpty
    }

    /// Bounded, printable text: hostile metadata cannot flood the manifest.
    public static func clean(_ raw: String, limit: Int = 200) -> String? {
        let s = String(String.UnicodeScalarView(raw.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
            .trimmingCharacters(in: .whitespaces)
        return s.isEmpty ? nil : String(s.prefix(limit))
    }
}
