import Foundation
import PipelineCore

/// One batch's contact sheet: what a reviewer opens from disk, with no server. Exceptions come
/// first, then the assets waiting (sampled, held), then those already decided; each card has the
/// thumbnail, the flags, every gate's value, threshold and result, and the exact `pipectl`
/// commands. The page is static HTML and CSS: no script, nothing fetched from elsewhere.
public struct ContactSheet: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var sku: String
        public var view: Int?
        /// Where the asset is now: review, approved, export, failed.
        public var stage: String
        public var review: ReviewRecord?
        public var flags: [String]
        public var arrivedAt: Date
        /// False for an asset retouched before thumbnails were made: the card says so instead of a broken image.
        public var hasThumbnail: Bool
        /// A generated variant's source asset (shown as a link to the source's card).
        public var variantOf: String?
        public init(id: String, sku: String, view: Int?, stage: String, review: ReviewRecord?, flags: [String], arrivedAt: Date, hasThumbnail: Bool = true) {
            self.id = id; self.sku = sku; self.view = view; self.stage = stage; self.review = review; self.flags = flags
            self.arrivedAt = arrivedAt; self.hasThumbnail = hasThumbnail
        }

        public init(_ m: Manifest, stage: String, hasThumbnail: Bool) {
            self.init(id: m.id, sku: m.sku, view: m.view, stage: stage, review: m.review, flags: m.master?.retouch?.flags ?? [],
                      arrivedAt: m.arrivedAt, hasThumbnail: hasThumbnail)
            variantOf = m.variantOf
        }

        /// The status as the page shows it ("waiting" before review decided).
        var statusText: String { review?.status.rawValue ?? "waiting" }
        var isException: Bool { stage == "review" && review?.status == .exception }
        var isWaiting: Bool { stage == "review" }
    }

    /// How a reader reaches the daemon from the page: the commands name `socket` when it is not
    /// pipectl's default, and each card links to `workbench` (the batch's page) when it runs.
    public struct Access: Sendable, Equatable {
        public var socket: String?
        public var workbench: String?
        public init(socket: String? = nil, workbench: String? = nil) { self.socket = socket; self.workbench = workbench }
    }

    public var batch: String
    public var entries: [Entry]
    public var access: Access
    /// Thumbnail path relative to the page, per asset id.
    public static func thumbnail(_ id: String) -> String { "thumbs/\(id).jpg" }

    public init(batch: String, entries: [Entry], access: Access = Access()) {
        self.batch = batch
        self.access = access
        self.entries = entries.sorted { a, b in
            let ra = ContactSheet.rank(a), rb = ContactSheet.rank(b)
            return ra != rb ? ra < rb : (a.arrivedAt, a.id) < (b.arrivedAt, b.id)
        }
    }

    /// Exceptions, then other waiting assets, then assets decided by a person, then the rest.
    static func rank(_ e: Entry) -> Int {
        if e.isException { return 0 }
        if e.isWaiting { return 1 }
        if e.review?.status == .rejected || e.review?.status == .approved { return 2 }
        return 3
    }

    public var html: String {
        let exceptions = entries.filter(\.isException).count
        let waiting = entries.filter(\.isWaiting).count
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Contact sheet: \(Markup.escape(batch))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #f4f4f4; }
        h1 { font-size: 1.4em; margin: 0 0 .3em; }
        .summary { margin: 0 0 1em; }
        code { background: #e8e8e8; padding: 1px 4px; border-radius: 3px; user-select: all; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; }
        .card { background: #fff; border: 3px solid #9c9; border-radius: 6px; padding: 10px; }
        .card.exception { border-color: #d33; }
        .card.waiting { border-color: #e9a820; }
        .card.rejected { border-color: #777; }
        .card img { display: block; width: 100%; height: 260px; object-fit: contain; background: #fff; }
        .status { font-weight: 600; text-transform: uppercase; font-size: .8em; }
        .reason { margin: .4em 0; }
        table { border-collapse: collapse; width: 100%; font-size: .85em; margin: .4em 0; }
        td, th { text-align: left; padding: 1px 4px; border-bottom: 1px solid #eee; }
        tr.fail td { color: #b00; font-weight: 600; }
        .commands code { display: block; margin: 2px 0; white-space: pre-wrap; word-break: break-all; }
        .commands small { display: block; color: #666; margin: 0 0 4px; }
        </style>
        </head>
        <body>
        <h1>Batch \(Markup.escape(batch))</h1>
        <p class="summary">\(entries.count) assets: \(exceptions) exception\(exceptions == 1 ? "" : "s"), \(waiting - exceptions) other\(waiting - exceptions == 1 ? "" : "s") waiting for a person, \(entries.count - waiting) decided.
        """
        let variants = entries.filter { $0.isWaiting && !$0.isException && $0.variantOf != nil }.count
        if waiting - exceptions > variants {
            page += " Approve every waiting asset but the exceptions and generated variants: <code>\(Markup.escape(command(["approve", batch])))</code>"
        }
        if variants > 0 {
            page += " Generated variants waiting: \(variants); approve them with the rest: <code>\(Markup.escape(command(["approve", batch, "--variants"])))</code>"
        }
        page += "</p>\n"
        if let url = access.workbench {
            page += "<p class=\"summary\">Decide on the workbench: <a href=\"\(Markup.escape(url))\">\(Markup.escape(url))</a> (approve the clean ones in one click, reject with a note, compare, zoom).</p>\n"
        }
        page += "<div class=\"grid\">\n"
        for e in entries { page += card(e) }
        page += "</div>\n</body>\n</html>\n"
        return page
    }

    func card(_ e: Entry) -> String {
        let cls = e.isException ? "exception" : e.isWaiting ? "waiting" : e.review?.status == .rejected ? "rejected" : "done"
        let title = "\(e.sku)\(e.view.map { " · view \($0)" } ?? "")"
        var s = "<div class=\"card \(cls)\" id=\"\(Markup.escape(e.id))\">\n"
        s += e.hasThumbnail ? "<img src=\"\(Markup.escape(Self.thumbnail(e.id)))\" alt=\"\(Markup.escape(title))\" width=\"300\" height=\"260\">\n"
            : "<p>No thumbnail: retouched before thumbnails were made (<code>\(Markup.escape(command(["retry", e.id])))</code> makes one).</p>\n"
        s += "<div><strong>\(Markup.escape(title))</strong> <span class=\"status\">\(Markup.escape(e.statusText))\(e.isWaiting ? "" : " · \(Markup.escape(e.stage))")</span></div>\n"
        s += "<div><code>\(Markup.escape(e.id))</code></div>\n"
        if let source = e.variantOf {
            s += "<div>Generated variant of <a href=\"#\(Markup.escape(source))\">\(Markup.escape(source))</a></div>\n"
        }
        if let reason = e.review?.reason, !reason.isEmpty { s += "<p class=\"reason\">\(Markup.escape(reason))</p>\n" }
        if !e.flags.isEmpty { s += "<div>Flags: \(Markup.escape(e.flags.joined(separator: ", ")))</div>\n" }
        if let gates = e.review?.gates, !gates.isEmpty {
            s += "<table><tr><th>gate</th><th>value</th><th>threshold</th><th></th></tr>\n"
            for g in gates {
                s += "<tr\(g.passed ? "" : " class=\"fail\"")><td>\(Markup.escape(g.gate))</td><td>\(Self.number(g.value))</td><td>\(Self.number(g.threshold))</td><td>\(g.passed ? "pass" : "FAIL")</td></tr>\n"
            }
            s += "</table>\n"
        }
        if e.isWaiting {
            s += "<div class=\"commands\">"
            if let url = access.workbench { s += "<a href=\"\(Markup.escape(url))#a-\(Markup.escape(e.id))\">Open on the workbench</a>" }
            s += "<code>\(Markup.escape(command(["approve", e.id])))</code>"
            // The reason is left empty for the reader to type: pasted as it is, pipectl refuses it.
            s += "<code>\(Markup.escape(command(["reject", e.id, "--reason", ""])))</code><small>type what is wrong between the quotes</small>"
            if e.isException { s += "<code>\(Markup.escape(command(["retry", e.id, "--set", "retouch.KEY=VALUE"])))</code><small>a setting from the config, as KEY=VALUE</small>" }
            s += "</div>\n"
        }
        return s + "</div>\n"
    }

    /// A pipectl command for this daemon: with `--socket` when it is not pipectl's default.
    func command(_ args: [String]) -> String {
        Self.command(args + (access.socket.map { ["--socket", $0] } ?? []))
    }

    /// A command line as a person would paste it: words with anything unusual single-quoted.
    public static func command(_ args: [String]) -> String {
        (["pipectl"] + args).map { a in
            a.allSatisfy { $0.isLetter || $0.isNumber || "-_.=/:…".contains($0) } && !a.isEmpty ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    static func number(_ v: Double) -> String {
        if abs(v) >= 100 || (v == v.rounded() && abs(v) < 1e9) { return String(format: "%.0f", v) }
        return abs(v) < 0.01 ? String(format: "%.4f", v) : String(format: "%.3f", v)
    }
}
