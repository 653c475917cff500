import Foundation

extension ShopifyCSV {
    /// The alt text of an asset's images: a generated variant says what it is (the product in a
    /// scene, or an on-model image) rather than repeating the packshot's; any other asset has the
    /// catalogue's (`altText(sku:view:catalog:)`).
    public static func altText(for m: Manifest) -> String {
        let catalog = m.catalog ?? [:]
        guard let g = m.generated else { return altText(sku: m.sku, view: m.view ?? 1, catalog: catalog) }
        let product = catalog["title"].flatMap { $0.isEmpty ? nil : $0 } ?? m.sku
        // A plate's name is a file name ("oak-table"); an external rule's scene is words already.
        let scene = g.scene.map { g.generator == "scene" ? $0.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ") : $0 }
            .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let what = g.keptProduct == false ? "\(product) on a model" : "\(product) in a lifestyle scene"
        let text = scene.map { "\(what): \($0)" } ?? what
        return altText(sku: m.sku, view: m.view ?? 1, catalog: ["alt_text": text])
    }
}
