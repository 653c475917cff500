import Foundation
import PipelineCore
import Retouch

/// The workbench's pictures of one asset: its master shrunk or cut out at 100 %, or its original
/// shrunk, as JPEGs cached under `<root>/.work/previews/<asset>/`. A preview's file name holds
/// what was asked and its source's mtime and size, so a master retouched again gets new previews
/// and a cached one is found with two stats and no decode. Pictures are rendered in a
/// `photopiped preview` child (`make`); the daemon asks for them through `Runner`.
public struct WorkbenchPreview: Sendable {
    public enum Kind: Equatable, Sendable {
        /// The master on white, at most this wide.
        case master(Int)
        /// The original, upright, at most this wide.
        case original(Int)
        /// A size×size cut of the master at 100 %, on white; x, y: its top-left in master pixels.
        case crop(x: Int, y: Int, size: Int)

        public static let widths = 64...2400
        public static let cropSizes = 64...1024

        /// Widths and sizes inside their ranges, a crop's corner not negative. (A crop is fitted
        /// inside the master when it is rendered: only the master knows its size.)
        public var clamped: Kind {
            switch self {
            case .master(let w): return .master(Self.clamp(w, Self.widths))
            case .original(let w): return .original(Self.clamp(w, Self.widths))
            case .crop(let x, let y, let size): return .crop(x: max(0, x), y: max(0, y), size: Self.clamp(size, Self.cropSizes))
            }
        }

        /// The part of the cache file's name that says what was asked (of the clamped kind).
        var name: String {
            switch clamped {
            case .master(let w): return "master-w\(w)"
            case .original(let w): return "original-w\(w)"
            case .crop(let x, let y, let size): return "crop-x\(x)-y\(y)-s\(size)"
            }
        }

        var fromOriginal: Bool {
            if case .original = self { return true }
            return false
        }

        /// The option of `photopiped preview` that asks for this kind; joined by `=`, as a
        /// negative number in a separate argument would be read as an option.
        public var arguments: [String] { ["--\(option)"] }

        /// `master=W`, `original=W` or `crop=X,Y,SIZE`: the option without its dashes, as a
        /// serving child is asked for it too.
        public var option: String {
            switch self {
            case .master(let w): return "master=\(w)"
            case .original(let w): return "original=\(w)"
            case .crop(let x, let y, let size): return "crop=\(x),\(y),\(size)"
            }
        }

        /// The kind an `option` names; nil for anything else.
        public init?(option: String) {
            guard let eq = option.firstIndex(of: "=") else { return nil }
            let value = String(option[option.index(after: eq)...])
            switch option[..<eq] {
            case "master": guard let w = Int(value) else { return nil }; self = .master(w)
            case "original": guard let w = Int(value) else { return nil }; self = .original(w)
            case "crop": guard let kind = Self.crop(parsing: value) else { return nil }; self = kind
            default: return nil
            }
        }

        /// `X,Y,SIZE` as `--crop` takes it.
        public static func crop(parsing text: String) -> Kind? {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let x = parts[0], let y = parts[1], let size = parts[2] else { return nil }
            return .crop(x: x, y: y, size: size)
        }

        private static func clamp(_ v: Int, _ range: ClosedRange<Int>) -> Int { min(max(v, range.lowerBound), range.upperBound) }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Previews kept per asset; the oldest written go first.
    public static let keepPerAsset = 64
    /// limits.max_pixels' default: the original already passed the daemon's own limit at ingest.
    public static let maxPixels = 200_000_000

    public let root: String

    public init(root: String) { self.root = root }

    public func directory(asset: String) -> String { "\(Layout(root: root).work)/previews/\(asset)" }

    /// The file a kind is made from: the master, or the original the asset's manifest names.
    public func source(assetDir: String, kind: Kind) throws -> String {
        guard kind.fromOriginal else { return "\(assetDir)/\(RetouchStage.masterFile)" }
        let manifest: Manifest
        do { manifest = try ManifestStore.read(assetDir: assetDir) }
        catch { throw Failure("cannot read the manifest in \(assetDir): \(error)") }
        return manifest.original.hasPrefix("/") ? manifest.original : "\(root)/\(manifest.original)"
    }

    /// Where the preview is cached, or will be once made. Throws when the id is not an asset id
    /// or the source file is missing.
    public func cachePath(asset: String, assetDir: String, kind: Kind) throws -> String {
        guard AssetID.isValid(asset) else { throw Failure("not an asset id: \(asset)") }
        let source = try self.source(assetDir: assetDir, kind: kind)
        var st = stat()
        guard stat(source, &st) == 0 else {
            let why = String(cString: strerror(errno))
            throw Failure(kind.fromOriginal ? "the original \(source) cannot be read: \(why)"
                                            : "no master for \(asset): \(source): \(why)")
        }
        let stamp = String(format: "m%ld.%09ld-b%lld", st.st_mtim.tv_sec, st.st_mtim.tv_nsec, Int64(st.st_size))
        return "\(directory(asset: asset))/\(kind.name)-\(stamp).jpg"
    }

    /// Keeps the `keep` previews in `dir` written last, and removes what a killed child left
    /// half-written (temporary files older than a minute).
    public static func prune(_ dir: String, keep: Int = keepPerAsset, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        var previews: [(name: String, mtime: Double)] = []
        for name in names {
            var st = stat()
            guard lstat("\(dir)/\(name)", &st) == 0 else { continue }
            let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if name.hasPrefix(".") {
                if name.contains(".tmp-") && now.timeIntervalSince1970 - mtime > 60 { unlink("\(dir)/\(name)") }
            } else if name.hasSuffix(".jpg") {
                previews.append((name, mtime))
            }
        }
        guard previews.count > keep else { return }
        for old in previews.sorted(by: { $0.mtime == $1.mtime ? $0.name < $1.name : $0.mtime < $1.mtime }).prefix(previews.count - keep) {
            unlink("\(dir)/\(old.name)")
        }
    }
}
