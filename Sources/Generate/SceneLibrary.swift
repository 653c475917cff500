import Foundation
import Imaging

/// A folder of plates, each an image with a `.toml` sidecar beside it. Images without a sidecar
/// (occluder masks, drafts) are not plates. Loading reads every sidecar and each plate's header, and
/// stops at the first one that cannot be used, naming it, as the daemon's config does.
public struct SceneLibrary: Sendable {
    public var folder: String
    /// Sorted by name.
    public var plates: [ScenePlate]

    /// Larger plates cost every variant their decode; 8000×6000 is plenty for any channel.
    public static let maxPlatePixels = 50_000_000

    public static func load(folder: String) throws -> SceneLibrary {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) }
        catch { throw SceneSidecarError(file: folder, line: nil, key: nil, message: "cannot read the scene folder: \(error.localizedDescription)") }
        let plates = try names.filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.sorted()
            .map { try loadPlate(sidecar: "\(folder)/\($0)") }
            .sorted { $0.name < $1.name }
        var seen: Set<String> = []
        for p in plates where !seen.insert(p.name).inserted {
            throw SceneSidecarError(file: p.sidecarPath, line: nil, key: "name", message: "another plate is also named \(p.name)")
        }
        return SceneLibrary(folder: folder, plates: plates)
    }

    /// One sidecar and its plate's header, checked against each other.
    public static func loadPlate(sidecar path: String) throws -> ScenePlate {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) }
        catch { throw SceneSidecarError(file: path, line: nil, key: nil, message: "cannot read the sidecar: \(error.localizedDescription)") }
        var plate = try SceneSidecar.parse(text, path: path)
        do {
            let image = try Image.open(plate.imagePath)
            plate.width = image.width; plate.height = image.height
        } catch {
            throw SceneSidecarError(file: path, line: nil, key: "image", message: "the plate \(plate.imagePath) cannot be read: \(error)")
        }
        guard plate.width * plate.height <= maxPlatePixels else {
            throw SceneSidecarError(file: path, line: nil, key: "image",
                                    message: "the plate is \(plate.width)×\(plate.height); plates above \(maxPlatePixels / 1_000_000) MP are refused (scale it down)")
        }
        let corners: [(Double, Double)]
        switch plate.contact {
        case let .point(x, y): corners = [(x, y)]
        case let .line(x0, y0, x1, y1, _): corners = [(x0, y0), (x1, y1)]
        }
        for (x, y) in corners where x > Double(plate.width) || y > Double(plate.height) {
            throw SceneSidecarError(file: path, line: nil, key: "contact",
                                    message: "(\(x), \(y)) is outside the \(plate.width)×\(plate.height) plate")
        }
        if let occluder = plate.occluderPath {
            let o = try Image.open(occluder)
            let same = abs(Double(o.width) / Double(o.height) - Double(plate.width) / Double(plate.height)) < 0.01
            guard same else {
                throw SceneSidecarError(file: path, line: nil, key: "effects.occluder",
                                        message: "the occluder is \(o.width)×\(o.height), not the plate's shape (\(plate.width)×\(plate.height))")
            }
        }
        return plate
    }

    public func plate(named name: String) -> ScenePlate? { plates.first { $0.name == name } }

    /// Plates carrying every one of `tags`.
    public func plates(tagged tags: [String]) -> [ScenePlate] { plates.filter { Set(tags).isSubset(of: $0.tags) } }
}
