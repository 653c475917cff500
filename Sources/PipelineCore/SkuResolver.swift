import Foundation

/// How an asset's SKU was found: every candidate seen, and which one won.
public struct SkuResolution: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        public var source: String
        public var value: String
        public init(source: String, value: String) { self.source = source; self.value = value }
    }
    /// Nil when a catalogue is configured and no candidate is in it: an exception, never a guess.
    public var sku: String?
    public var source: String?
    public var candidates: [Candidate] = []
    public var checkedAgainstCatalog = false
    public init() {}
}

/// Tries the configured sources in order: "name" (the file-name pattern, else the stem),
/// "job" (IPTC job identifier), "title", "batch" (the inbox folder), "gtin" (a barcode in
/// the name, looked up in the catalogue) and "xmp:<property>".
public struct SkuResolver: Sendable {
    public static let knownSources = ["name", "job", "title", "batch", "gtin"]
    public let sources: [String]
    public let pattern: NamePattern
    public let catalog: Catalog?

    public init(sources: [String], pattern: NamePattern, catalog: Catalog?) {
        self.sources = sources; self.pattern = pattern; self.catalog = catalog
    }

    public static func isValidSource(_ s: String) -> Bool { knownSources.contains(s) || (s.hasPrefix("xmp:") && s.count > 4) }

    public func resolve(stem: String, batch: String, descriptive: DescriptiveMetadata?) -> SkuResolution {
        var r = SkuResolution()
        r.checkedAgainstCatalog = catalog != nil
        for source in sources {
            for value in candidates(source, stem: stem, batch: batch, descriptive) {
                let clean = Sanitizer.component(value)
                guard !clean.isEmpty, !r.candidates.contains(where: { $0.value == clean }) else { continue }
                r.candidates.append(.init(source: source, value: clean))
            }
        }
        if let catalog {
            if let hit = r.candidates.first(where: { catalog.row(sku: $0.value) != nil }) {
                r.sku = catalog.row(sku: hit.value)?.sku
                r.source = hit.source
            }
        } else if let first = r.candidates.first {
            r.sku = first.value
            r.source = first.source
        }
        return r
    }

    func candidates(_ source: String, stem: String, batch: String, _ d: DescriptiveMetadata?) -> [String] {
        switch source {
        case "name": return [pattern.resolve(stem: stem).sku]
        case "job": return [d?.jobIdentifier].compactMap { $0 }
        case "title": return [d?.title].compactMap { $0 }
        case "batch": return [batch]
        case "gtin":
            guard let catalog else { return [] }
            return digitRuns(stem).compactMap { catalog.sku(forGTIN: $0) }
        default:
            guard source.hasPrefix("xmp:") else { return [] }
            return [d?.xmp[String(source.dropFirst(4))]].compactMap { $0 }
        }
    }

    /// Runs of 8–14 digits in a name: where a barcode would be.
    func digitRuns(_ s: String) -> [String] {
        var runs: [String] = [], current = ""
        for c in s + " " {
            if c.isASCII && c.isNumber { current.append(c) }
            else {
                if (8...14).contains(current.count) { runs.append(current) }
                current = ""
            }
        }
        return runs
    }
}
