import Foundation
import PipelineCore

/// A sidecar that cannot be used, naming the file, and the key and line where they are known.
public struct SceneSidecarError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        return key.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)"
    }
}

/// Reads a plate's sidecar (`<plate>.toml`), for example:
///
///     name = "oak table"
///     tags = ["table", "warm"]
///     [contact]
///     line = [300, 705, 720, 698]   # or point = [512, 700]; plate pixels
///     spread = 0.4                  # share of the line the seed may choose from
///     [scale]
///     px_per_cm = 9.5               # used when the catalogue gives the product's height
///     product_height_share = 0.35   # otherwise
///     [light]
///     azimuth = 135                 # where the light comes from: 0 camera, 90 right, 180 behind, 270 left
///     elevation = 45
///     softness = 0.6
///     shadow_opacity = 0.55
///     contact_opacity = 0.6
///     [effects]
///     occluder = "oak-table.front.png"
///     reflection = 0.2
///     defocus = 1.5
///
/// Paths are relative to the sidecar's folder. The plate image is `image`, or the sidecar's name
/// with an image extension.
enum SceneSidecar {
    static let imageExtensions = ["jpg", "jpeg", "png", "tif", "tiff", "webp"]

    static func parse(_ text: String, path: String) throws -> ScenePlate {
        let entries: [TOMLEntry]
        do { entries = try TOML.parse(text) }
        catch let e as TOMLError { throw SceneSidecarError(file: path, line: e.line, key: nil, message: e.message) }
        var fields = Fields(path: path, entries: entries)

        let folder = (path as NSString).deletingLastPathComponent
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (folder as NSString).appendingPathComponent(p) }

        let name = try fields.string("name") ?? stem
        let tags = try fields.strings("tags") ?? []
        let image: String
        if let given = try fields.string("image") {
            image = resolve(given)
            guard FileManager.default.fileExists(atPath: image) else {
                throw fields.error("image", "no file \(given) beside the sidecar")
            }
        } else {
            guard let found = imageExtensions.lazy.map({ "\(folder)/\(stem).\($0)" }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw SceneSidecarError(file: path, line: nil, key: "image",
                                        message: "no plate image \(stem).{\(imageExtensions.joined(separator: ","))} beside the sidecar, and no image key")
            }
            image = found
        }

        let point = try fields.numbers("contact.point", count: 2)
        let line = try fields.numbers("contact.line", count: 4)
        let spread = try fields.number("contact.spread", 0...1) ?? 0
        let contact: ScenePlate.Contact
        switch (point, line) {
        case let (p?, nil): contact = .point(x: p[0], y: p[1])
        case let (nil, l?): contact = .line(x0: l[0], y0: l[1], x1: l[2], y1: l[3], spread: spread)
        case (_?, _?): throw fields.error("contact.line", "give contact.point or contact.line, not both")
        case (nil, nil): throw SceneSidecarError(file: path, line: nil, key: "contact", message: "missing: give contact.point = [x, y] or contact.line = [x0, y0, x1, y1]")
        }

        let scale = ScenePlate.Scale(pxPerCm: try fields.number("scale.px_per_cm", 0.01...10_000),
                                     productHeightShare: try fields.number("scale.product_height_share", 0.01...1))
        guard scale.pxPerCm != nil || scale.productHeightShare != nil else {
            throw SceneSidecarError(file: path, line: nil, key: "scale", message: "missing: give scale.px_per_cm, scale.product_height_share or both")
        }

        var light = ScenePlate.Light()
        if let v = try fields.number("light.azimuth", -360...360) { light.azimuth = v }
        if let v = try fields.number("light.elevation", 5...90) { light.elevation = v }
        if let v = try fields.number("light.softness", 0...1) { light.softness = v }
        if let v = try fields.number("light.shadow_opacity", 0...1) { light.shadowOpacity = v }
        if let v = try fields.number("light.contact_opacity", 0...1) { light.contactOpacity = v }

        var occluder: String?
        if let o = try fields.string("effects.occluder") {
            occluder = resolve(o)
            guard FileManager.default.fileExists(atPath: resolve(o)) else { throw fields.error("effects.occluder", "no file \(o) beside the sidecar") }
        }
        let reflection = try fields.number("effects.reflection", 0...1) ?? 0
        let defocus = try fields.number("effects.defocus", 0...50) ?? 0
        try fields.rejectUnused()

        return ScenePlate(name: name, imagePath: image, sidecarPath: path, width: 0, height: 0, tags: tags, contact: contact,
                          scale: scale, light: light, occluderPath: occluder, reflection: reflection, defocus: defocus)
    }

    /// The sidecar's entries by key, each read at most once, so a misspelt key is an error.
    struct Fields {
        let path: String
        var byKey: [String: TOMLEntry]
        var used: Set<String> = []

        init(path: String, entries: [TOMLEntry]) {
            self.path = path
            byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        }

        func error(_ key: String, _ message: String) -> SceneSidecarError {
            SceneSidecarError(file: path, line: byKey[key]?.line, key: key, message: message)
        }

        mutating func take(_ key: String) -> TOMLEntry? { used.insert(key); return byKey[key] }

        mutating func string(_ key: String) throws -> String? {
            guard let e = take(key) else { return nil }
            guard case let .string(s) = e.value, !s.isEmpty else { throw error(key, "expected a non-empty string, found \(e.value.typeName)") }
            return s
        }

        mutating func strings(_ key: String) throws -> [String]? {
            guard let e = take(key) else { return nil }
            guard case let .array(items) = e.value else { throw error(key, "expected an array of strings, found \(e.value.typeName)") }
            return try items.map {
                guard case let .string(s) = $0 else { throw error(key, "expected an array of strings, found a \($0.typeName) in it") }
                return s
            }
        }

        static func double(_ v: TOMLValue) -> Double? {
            switch v { case let .integer(i): Double(i); case let .float(d): d; default: nil }
        }

        mutating func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let e = take(key) else { return nil }
            guard let d = Fields.double(e.value) else { throw error(key, "expected a number, found \(e.value.typeName)") }
            guard range.contains(d) else { throw error(key, "\(d) is outside \(range.lowerBound)…\(range.upperBound)") }
            return d
        }

        mutating func numbers(_ key: String, count: Int) throws -> [Double]? {
            guard let e = take(key) else { return nil }
            guard case let .array(items) = e.value, items.count == count else {
                throw error(key, "expected an array of \(count) numbers")
            }
            return try items.map {
                guard let d = Fields.double($0), d >= 0 else { throw error(key, "expected non-negative numbers (plate pixels)") }
                return d
            }
        }

        func rejectUnused() throws {
            if let stray = byKey.values.filter({ !used.contains($0.key) }).min(by: { $0.line < $1.line }) {
                throw error(stray.key, "unknown key")
            }
        }
    }
}
