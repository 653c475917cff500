import Foundation

/// The channels of docs/channels.md as presets. A user enables some with `export.channels` and
/// overrides any field under `[export.preset.<name>]`.
public enum BuiltinPresets {
    static let mb = 1_000_000

    public static let all: [ChannelPreset] = [
        preset("default", 2000, 2000, fill: 0.85, minFill: 0, quality: 90, cap: 20 * mb, name: "{stem}.{ext}"),
        amazon("amazon-main", quality: 95, fill: 0.88, views: 1...1),
        amazon("amazon-alt", quality: 92, fill: 0.85, views: 2...99),
        shopify(),
        preset("google", 1500, 1500, fill: 0.85, quality: 85, cap: 16 * mb, name: "{offer_id}-{n}.{ext}"),
        preset("meta-square", 1080, 1080, fill: 0.80, quality: 85, cap: 8 * mb, name: "{retailer_id}-{n}.{ext}"),
        preset("instagram-portrait", 1080, 1350, fill: 0.80, quality: 85, cap: 8 * mb, name: "{sku}-{n}-4x5.{ext}"),
        preset("ebay", 1600, 1600, fill: 0.85, quality: 90, cap: 12 * mb, name: "{sku}-{n}.{ext}"),
        preset("walmart", 2200, 2200, fill: 0.85, quality: 90, cap: 5 * mb, name: "{gtin14}_{n}.{ext}"),
        preset("zalando", 1801, 2600, fill: 0.85, quality: 90, cap: 20 * mb, name: "{ean}_{n}.{ext}"),
    ]

    public static func named(_ name: String) -> ChannelPreset? { all.first { $0.name == name } }

    static func preset(_ name: String, _ w: Int, _ h: Int, fill: Double, minFill: Double? = nil, quality: Int, cap: Int,
                       name template: String) -> ChannelPreset {
        ChannelPreset(name: name, width: w, height: h, fill: fill, minFill: minFill, quality: quality, maxBytes: cap,
                      nameTemplate: template)
    }

    /// Amazon: 4:4:4 JPEG on pure white, `IDENT.MAIN.jpg` / `IDENT.PT01.jpg`…, names checked against its rules.
    static func amazon(_ name: String, quality: Int, fill: Double, views: ClosedRange<Int>) -> ChannelPreset {
        var p = preset(name, 2000, 2000, fill: fill, quality: quality, cap: 10 * mb, name: "{ident}.{amazon}.{ext}")
        p.chromaSubsampling = false
        p.firstView = views.lowerBound
        p.lastView = views.upperBound
        p.rules = .amazon
        return p
    }

    static func shopify() -> ChannelPreset {
        var p = preset("shopify", 2048, 2048, fill: 0.85, quality: 85, cap: 1 * mb, name: "{handle}-{position}.{ext}")
        p.shopifyCSV = true
        return p
    }
}
