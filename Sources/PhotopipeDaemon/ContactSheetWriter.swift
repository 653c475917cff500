import Foundation
import Imaging
import PipelineCore
import Retouch
import Review
import Workbench

/// Writes one batch's contact sheet from the asset manifests on disk: the thumbnails copied in
/// beside the page (so it still shows them after the assets move on), `index.html`, and a single
/// JPEG of every thumbnail for sharing. Runs in its own process, started by the supervisor.
public struct ContactSheetWriter {
    let layout: Layout

    public init(layout: Layout) { self.layout = layout }

    /// The JPEG of all thumbnails holds at most this many (exceptions and waiting ones first);
    /// the page always shows every asset. 400 cells of 240 px is a 4800 px square, about 70 MB.
    public static let maxImageCells = 400

    /// Where each of a batch's reviewed assets is: what the daemon's index knows, handed to the
    /// writer so it reads the batch's manifests only, never the whole root.
    public struct Listing {
        public var assets: [(queue: Queue, key: String)]

        public init(assets: [(queue: Queue, key: String)]) { self.assets = assets }

        public var text: String { assets.map { "\($0.queue.rawValue)\t\($0.key)\n" }.joined() }

        public init(text: String) {
            assets = text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (Queue(parts[0]), parts[1]) : nil
            }
        }
    }

    /// Every reviewed asset of the batch, by reading every queue (for a person running the command by hand).
    func scan() -> Listing {
        var found: [(queue: Queue, key: String)] = []
        for q in [Queue.review, .approved, .export, .failed] {
            for id in layout.assets(in: q) { found.append((q, id)) }
        }
        return Listing(assets: found)
    }

    /// Returns the page's path.
    public func write(batch: String, image: Bool = true, listing: Listing? = nil, access: ContactSheet.Access = .init()) throws -> String {
        let dir = layout.contactSheet(batch: batch), thumbs = "\(dir)/thumbs"
        try FileManager.default.createDirectory(atPath: thumbs, withIntermediateDirectories: true)
        var entries: [ContactSheet.Entry] = []
        for (q, id) in (listing ?? scan()).assets {
            let assetDir = layout.asset(id, in: q)
            guard let m = try? ManifestStore.read(assetDir: assetDir), m.batch == batch, m.review != nil else { continue }
            let copied = copyIfNewer("\(assetDir)/\(RetouchStage.thumbFile)", to: "\(dir)/\(ContactSheet.thumbnail(id))")
            entries.append(ContactSheet.Entry(m, stage: q.rawValue, hasThumbnail: copied))
        }
        let sheet = ContactSheet(batch: batch, entries: entries, access: access)
        let keep = Set(entries.map { "\($0.id).jpg" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: thumbs)) ?? [] where !keep.contains(name) {
            try? FileManager.default.removeItem(atPath: "\(thumbs)/\(name)")
        }
        try AtomicFile.write(Data(sheet.html.utf8), to: "\(dir)/index.html")

        let cells = sheet.entries.prefix(Self.maxImageCells).map { e in
            ContactSheetImage.Cell(thumbnail: "\(dir)/\(ContactSheet.thumbnail(e.id))",
                                   label: "\(e.sku) v\(e.view ?? 0) · \(e.review?.status.rawValue ?? "")",
                                   frame: e.stage == "review" ? (e.review?.status == .exception ? RGB(210, 50, 50) : RGB(230, 160, 30)) : RGB(150, 200, 150))
        }
        if image && !cells.isEmpty {
            let jpeg = "\(dir)/\(Sanitizer.component(batch, fallback: "batch")).jpg"
            let tmp = "\(dir)/.sheet.\(getpid()).tmp.jpg"
            // Square-ish: a 500-asset batch is 23 × 22 cells, well inside JPEG's 65535 px.
            let columns = max(8, Int(Double(cells.count).squareRoot().rounded(.up)))
            try ContactSheetImage.render(Array(cells), columns: columns).saveJPEG(tmp, quality: 85)
            guard rename(tmp, jpeg) == 0 else { throw DaemonError("cannot write \(jpeg): \(String(cString: strerror(errno)))") }
        }
        return "\(dir)/index.html"
    }

    /// The page's access for a batch: the socket only when it is not pipectl's default, the
    /// workbench as the batch's own page.
    public static func access(socket: String?, workbench: String?, batch: String) -> ContactSheet.Access {
        let page = workbench.map { base in (base.hasSuffix("/") ? String(base.dropLast()) : base) + PagePath.batch(batch) }
        return ContactSheet.Access(socket: socket == Config().socketPath ? nil : socket, workbench: page)
    }

    /// Copies a thumbnail unless the copy is already as new; false when the asset has none.
    func copyIfNewer(_ src: String, to dst: String) -> Bool {
        var s = stat(), d = stat()
        guard stat(src, &s) == 0 else { return false }
        if stat(dst, &d) == 0 && d.st_size == s.st_size
            && (d.st_mtim.tv_sec, d.st_mtim.tv_nsec) >= (s.st_mtim.tv_sec, s.st_mtim.tv_nsec) { return true }
        let tmp = dst + ".tmp"
        try? FileManager.default.removeItem(atPath: tmp)
        guard (try? FileManager.default.copyItem(atPath: src, toPath: tmp)) != nil, rename(tmp, dst) == 0 else { return false }
        return true
    }
}
