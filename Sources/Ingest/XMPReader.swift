import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PipelineCore

/// Reads the XMP packet libvips hands out: simple properties (as attributes or as
/// elements), and the dc:title / dc:description / dc:subject containers.
public enum XMPReader {
    static let maxProperties = 200
    static let maxBytes = 1 << 20

    public static func read(_ data: Data, into meta: inout DescriptiveMetadata) {
        guard data.count <= maxBytes else { meta.ignored.append("XMP packet of \(data.count) bytes is too large; ignored"); return }
        let collector = Collector()
        let parser = XMLParser(data: trimmed(data))
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        let ok = parser.parse() && !collector.failed
        if !ok {
            if collector.properties.isEmpty && collector.lists.isEmpty {
                meta.ignored.append("XMP packet is not well-formed XML; ignored")
                return
            }
            meta.ignored.append("XMP packet is not well-formed XML; kept what was read before the error")
        }
        for (k, v) in collector.properties.prefix(maxProperties) {
            if let c = DescriptiveMetadata.clean(v) { meta.xmp[k] = c }
        }
        meta.title = meta.title ?? collector.lists["dc:title"]?.first.flatMap { DescriptiveMetadata.clean($0) }
            ?? meta.xmp["photoshop:Headline"]
        meta.description = meta.description ?? collector.lists["dc:description"]?.first.flatMap { DescriptiveMetadata.clean($0) }
        meta.creator = meta.creator ?? collector.lists["dc:creator"]?.first.flatMap { DescriptiveMetadata.clean($0) }
        meta.copyright = meta.copyright ?? collector.lists["dc:rights"]?.first.flatMap { DescriptiveMetadata.clean($0) }
        let keywords = (collector.lists["dc:subject"] ?? []).compactMap { DescriptiveMetadata.clean($0, limit: 100) }
        meta.keywords = Array((meta.keywords + keywords).prefix(100))
        meta.jobIdentifier = meta.jobIdentifier ?? meta.xmp["photoshop:TransmissionReference"]
        meta.creatorTool = meta.creatorTool ?? meta.xmp["xmp:CreatorTool"]
    }

    /// Drops trailing padding and NULs some writers leave after the packet.
    static func trimmed(_ data: Data) -> Data {
        var end = data.endIndex
        while end > data.startIndex, [0, 0x20, 0x0A, 0x0D, 0x09].contains(data[end - 1]) { end -= 1 }
        return data[data.startIndex..<end]
    }

    final class Collector: NSObject, XMLParserDelegate {
        var properties: [String: String] = [:]
        var lists: [String: [String]] = [:]
        var failed = false
        private var stack: [String] = []

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { failed = true }
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            for (k, v) in attributes where !k.hasPrefix("xmlns") && !k.hasPrefix("rdf:") && !k.hasPrefix("x:") && k.contains(":") {
                if properties.count < XMPReader.maxProperties { properties[k] = v }
            }
            stack.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { if !stack.isEmpty { stack.removeLast() }; text = "" }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { return }
            if name == "rdf:li" {
                // …/dc:subject/rdf:Bag/rdf:li → the container property two levels up.
                if stack.count >= 3 {
                    let owner = stack[stack.count - 3]
                    if lists[owner, default: []].count < 100 { lists[owner, default: []].append(value) }
                }
            } else if name.contains(":") && !name.hasPrefix("rdf:") && !name.hasPrefix("x:") && properties.count < XMPReader.maxProperties {
                properties[name] = value
            }
        }
    }
}
