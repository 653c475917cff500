import Foundation

/// Every file one batch has in one channel: `export/<channel>/<batch>.manifest.json`.
public struct ChannelManifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var asset: String
        public var sku: String
        public var view: Int
        public var file: String
        /// Relative to the root: `export/<channel>/<file>`.
        public var path: String
        public var bytes: Int
        public var sha256: String
        public var width: Int
        public var height: Int
        /// For product feeds (Shopify): the product handle and the image's alt text.
        public var handle: String?
        public var alt: String?
        public init(asset: String, sku: String, view: Int, file: String, path: String, bytes: Int, sha256: String,
                    width: Int, height: Int, handle: String? = nil, alt: String? = nil) {
            self.asset = asset; self.sku = sku; self.view = view; self.file = file; self.path = path; self.bytes = bytes
            self.sha256 = sha256; self.width = width; self.height = height; self.handle = handle; self.alt = alt
        }
    }

    public var channel: String
    public var batch: String
    public var files: [Entry]

    public init(channel: String, batch: String, files: [Entry] = []) {
        self.channel = channel; self.batch = batch; self.files = files
    }

    public static func fileName(batch: String) -> String { "\(Sanitizer.component(batch, fallback: "batch")).manifest.json" }

    /// Replaces each listed asset's entries (an empty list removes the asset); sorted by SKU, view and file.
    public mutating func replace(_ byAsset: [String: [Entry]]) {
        files.removeAll { byAsset[$0.asset] != nil }
        files += byAsset.values.joined()
        files.sort { ($0.sku, $0.view, $0.file) < ($1.sku, $1.view, $1.file) }
    }

    /// The entries of one asset's outputs in this channel.
    public static func entries(for m: Manifest, channel: String) -> [Entry] {
        m.outputs.filter { $0.channel == channel }.map { o in
            Entry(asset: m.id, sku: m.sku, view: m.view ?? 1, file: (o.path as NSString).lastPathComponent, path: o.path,
                  bytes: o.bytes, sha256: o.sha256, width: o.width, height: o.height,
                  handle: NameTemplate.clean(NamingContext.handle(sku: m.sku, catalog: m.catalog ?? [:])).lowercased(),
                  alt: ShopifyCSV.altText(for: m))
        }
    }
}

/// A Shopify product CSV for the images of one batch: one row per image, grouped by handle.
public enum ShopifyCSV {
    public static func fileName(batch: String) -> String { "\(Sanitizer.component(batch, fallback: "batch")).shopify.csv" }

    public static let header = ["Handle", "Image Src", "Image Position", "Image Alt Text", "Variant SKU", "Variant Image"]

    /// - Parameter baseURL: where the channel folder is served; image URLs are `BASE/<channel>/<file>`.
    /// - Parameter url: the public URL of an image where a delivery target serves it; else the base URL's.
    public static func render(_ manifest: ChannelManifest, baseURL: String, url publicURL: ((ChannelManifest.Entry) -> String?)? = nil) -> String {
        var lines = [header.map(field).joined(separator: ",")]
        let byHandle = Dictionary(grouping: manifest.files) { $0.handle ?? $0.sku.lowercased() }
        for handle in byHandle.keys.sorted() {
            let images = byHandle[handle]!.sorted { ($0.view, $0.sku, $0.file) < ($1.view, $1.sku, $1.file) }
            let variants = Set(images.map(\.sku)).count > 1
            for (i, e) in images.enumerated() {
                let src = publicURL?(e) ?? url(base: baseURL, channel: manifest.channel, file: e.file)
                // With several SKUs under one handle, each SKU's first view is its variant's image.
                let firstOfSku = images.first { $0.sku == e.sku }?.file == e.file
                lines.append([handle, src, String(i + 1), e.alt ?? "", variants && firstOfSku ? e.sku : "",
                              variants && firstOfSku ? src : ""].map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func url(base: String, channel: String, file: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = file.addingPercentEncoding(withAllowedCharacters: allowed) ?? file
        return base.isEmpty ? encoded : "\(base)/\(channel)/\(encoded)"
    }

    /// The catalogue's alt text (else its title, with the view), on one line.
    public static func altText(sku: String, view: Int, catalog: [String: String]) -> String {
        let raw = catalog["alt_text"].flatMap { $0.isEmpty ? nil : $0 }
            ?? catalog["title"].flatMap { $0.isEmpty ? nil : "\($0), view \(view)" } ?? "\(sku), view \(view)"
        let oneLine = raw.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : String($0) }.joined()
        return String(oneLine.trimmingCharacters(in: .whitespaces).prefix(512))
    }

    /// RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula.
    static func field(_ s: String) -> String {
        var v = s
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
