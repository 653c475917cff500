import Foundation

/// Decides what a path under inbox/ is: an image to take, a writer's temporary, or something to leave alone.
public struct InboxFilter: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// An image file to settle and take. `batch` is the first-level folder, or nil for the top level.
        case candidate(batch: String?, name: String)
        /// Hidden or temporary names written by sync tools: wait, they will be renamed.
        case temporary
        /// An XMP sidecar (Capture One, Lightroom, darktable): it waits beside its frame and goes
        /// with it into originals/ when the frame is ingested.
        case sidecar
        /// Not an image by its extension: left in place and logged once.
        case notImage
        /// Inside a folder capture software keeps for itself (settings, caches, trash): left alone, silently.
        case skipped
        /// Deeper than `maxDepth` folders or otherwise unusable.
        case ignored(String)
    }

    /// What Capture One and Lightroom keep beside the frames in a session or catalogue folder.
    public static let defaultSkipFolders = ["CaptureOne", "Cache", "Proxies", "Thumbnails", "Trash", "Settings*", "*.lrdata", "*.cosessiondb"]

    public let extensions: Set<String>
    /// Folders below inbox/ a frame may sit in: 1 is inbox/BATCH/FILE; 3 takes a Capture One
    /// session's inbox/BATCH/Session/Output/FILE.
    public let maxDepth: Int
    /// Folder names (shell patterns) whose contents are never taken.
    public let skipFolders: [String]

    public init(extensions: [String], maxDepth: Int = 3, skipFolders: [String] = InboxFilter.defaultSkipFolders) {
        self.extensions = Set(extensions.map { $0.lowercased() })
        self.maxDepth = maxDepth
        self.skipFolders = skipFolders
    }

    public static func isTemporary(_ name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || name.hasPrefix("~")
            || lower.hasSuffix(".tmp") || lower.hasSuffix(".part") || lower.hasSuffix(".crdownload")
            || lower.hasSuffix(".partial") || lower.hasSuffix(".download") || lower.hasPrefix("tmpfile")
    }

    /// `relative` is the path below inbox/, e.g. "shoot-01/SKU1_1.jpg".
    public func classify(_ relative: String) -> Verdict {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let name = parts.last else { return .ignored("empty path") }
        if parts.contains(where: { $0.hasPrefix(".") }) || InboxFilter.isTemporary(name) { return .temporary }
        let folders = parts.dropLast()
        if folders.contains(where: { f in skipFolders.contains { fnmatch($0, f, 0) == 0 } }) { return .skipped }
        if folders.count > maxDepth {
            return .ignored("\(folders.count) folders deep, and ingest.max_depth is \(maxDepth): raise it, or move the file up")
        }
        let ext = splitExtension(name).ext.lowercased()
        if ext == InboxFilter.sidecarExtension { return .sidecar }
        guard extensions.contains(ext) else { return .notImage }
        return .candidate(batch: folders.first, name: name)
    }

    static let sidecarExtension = "xmp"

    /// The sidecar of the frame `name` among `names` (one folder's listing): `IMG_1.CR3.xmp`
    /// (Lightroom, darktable) or `IMG_1.xmp` (Capture One, Bridge), any case; nil when none.
    public static func sidecar(of name: String, among names: [String]) -> String? {
        let stem = splitExtension(name).stem.lowercased(), full = name.lowercased()
        let candidates = names.filter { splitExtension($0).ext.lowercased() == sidecarExtension }
        return candidates.first { splitExtension($0).stem.lowercased() == full }
            ?? candidates.first { splitExtension($0).stem.lowercased() == stem }
    }

    /// The batch of files dropped at the top level of the inbox: the day they were taken.
    public static func dayBatch(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }
}
