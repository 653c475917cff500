import Foundation
import PipelineCore

/// The metadata an export carries under the `rights` policy: creator, copyright and description,
/// as XMP (exact text) and EXIF IFD0 (ASCII-safe). Nothing else from the original travels.
struct ExportMetadata: Equatable {
    var creator: String?
    var copyright: String?
    var description: String?

    init(_ d: DescriptiveMetadata?, policy: ChannelPreset.Metadata) {
        guard policy == .rights, let d else { return }
        creator = d.creator.flatMap { DescriptiveMetadata.clean($0) }
        copyright = d.copyright.flatMap { DescriptiveMetadata.clean($0) }
        description = d.description.flatMap { DescriptiveMetadata.clean($0, limit: 500) }
    }

    var isEmpty: Bool { creator == nil && copyright == nil && description == nil }

    /// An XMP packet with dc:creator, dc:rights and dc:description; nil when there is nothing to say.
    var xmp: String? {
        guard !isEmpty else { return nil }
        var props = ""
        if let c = creator { props += "<dc:creator><rdf:Seq><rdf:li>\(Markup.escape(c))</rdf:li></rdf:Seq></dc:creator>" }
        if let r = copyright { props += "<dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">\(Markup.escape(r))</rdf:li></rdf:Alt></dc:rights>" }
        if let d = description { props += "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">\(Markup.escape(d))</rdf:li></rdf:Alt></dc:description>" }
        return "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
            + "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" "
            + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\(props)</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"r\"?>"
    }

    /// EXIF text: printable, and without parentheses (libvips reads "value (description)").
    static func exifText(_ s: String?) -> String? {
        guard let s else { return nil }
        let mapped = s.replacingOccurrences(of: "(", with: "[").replacingOccurrences(of: ")", with: "]")
        return DescriptiveMetadata.clean(mapped)
    }
}
