import PipelineCore

/// `GET /batch/<batch>`: a batch's assets grouped per SKU, what needs a decision first, with the
/// overlays the script drives (compare, zoom, reject, retry). Built into one string: a batch can
/// hold hundreds of assets.
public enum BatchPage {
    /// The buttons on every card, in order: `data-action` and label.
    static let actions: [(action: String, label: String)] = [
        ("approve", "Approve"), ("reject", "Reject…"), ("retry", "Retry…"), ("rollback", "Rollback"), ("compare", "Compare"),
    ]

    public static func render(view: BatchView, mayDecide: Bool, user: String, role: String, csrf: String) -> String {
        var out = ""
        out.reserveCapacity(8192 + view.assets.count * 3000)
        let batch = Markup.escape(view.batch)
        out += "<main class=\"batch\" data-batch=\"\(batch)\" data-may-decide=\"\(mayDecide)\">\n"
        out += "<div class=\"toolbar\">\n<h1><a href=\"/\">Batches</a> / \(batch)</h1>\n"
        out += "<button type=\"button\" class=\"primary\" data-action=\"approve-clean\" data-count=\"\(view.cleanWaiting)\""
        out += view.cleanWaiting == 0 || !mayDecide ? " disabled" : ""
        out += ">\(approveCleanLabel(view.cleanWaiting))</button>\n"
        out += keyboardHelp
        out += "</div>\n"
        out += "<p class=\"empty\"\(view.assets.isEmpty ? "" : " hidden")>Nothing in this batch right now.</p>\n"
        for section in BatchView.sections(view.assets) {
            let sku = Markup.escape(section.sku)
            out += "<section class=\"sku\" data-sku=\"\(sku)\">\n<h2>SKU \(sku)</h2>\n<div class=\"cards\">\n"
            for card in section.cards { appendCard(card, mayDecide: mayDecide, to: &out) }
            out += "</div>\n</section>\n"
        }
        out += overlays
        out += "</main>\n"
        return PageFrame.render(title: "Batch \(view.batch)", user: user, role: role, csrf: csrf, body: out)
    }

    public static func approveCleanLabel(_ n: Int) -> String { "Approve \(n) clean asset\(n == 1 ? "" : "s")" }

    static func appendCard(_ c: AssetCard, mayDecide: Bool, to out: inout String) {
        let id = Markup.escape(c.id)
        let status = c.status?.rawValue ?? ""
        out += "<article class=\"asset\(c.sampled ? " sampled" : "")\(c.variantOf != nil ? " variant" : "")\" id=\"a-\(id)\" data-id=\"\(id)\""
        out += " data-sku=\"\(Markup.escape(c.sku))\" data-view=\"\(c.view.map { String($0) } ?? "")\""
        out += " data-status=\"\(Markup.escape(status))\" data-stage=\"\(Markup.escape(c.stage.rawValue))\" tabindex=\"0\""
        out += " data-master-w=\"\(c.master?.width ?? 0)\" data-master-h=\"\(c.master?.height ?? 0)\""
        if let source = c.variantOf { out += " data-variant-of=\"\(Markup.escape(source))\"" }
        if let m = c.markup {
            out += " data-markup-note=\"\(Markup.escape(m.note))\""
            if let box = m.boxAttribute { out += " data-box=\"\(box)\"" }
        }
        out += ">\n"
        out += "<img loading=\"lazy\" src=\"\(Markup.escape(PagePath.image(c.id, "thumb")))\" alt=\"\(Markup.escape(altText(c)))\">\n"
        out += "<div class=\"head\"><span class=\"badge\">\(Markup.escape(badge(c)))</span>"
        if c.sampled && c.status != .sampled { out += " <span class=\"tag\">sampled</span>" }
        out += " <span class=\"view\">\(c.view.map { "view \($0)" } ?? "no view")</span>"
        out += " <span class=\"stage\">\(Markup.escape(c.stage.rawValue))</span></div>\n"
        out += "<p class=\"ident\">\(id)</p>\n"
        if let source = c.variantOf {
            out += "<p class=\"variant-of\">generated from <a href=\"#a-\(Markup.escape(source))\">\(Markup.escape(source))</a></p>\n"
        }
        let failedFirst = c.gates.filter { !$0.passed } + c.gates.filter(\.passed)
        if let reason = c.reason, failedFirst.first?.passed != false {
            out += "<p class=\"reason\">\(Markup.escape(reason))</p>\n"
        }
        if !failedFirst.isEmpty {
            out += "<ul class=\"gates\">"
            for g in failedFirst {
                out += "<li class=\"\(g.passed ? "pass" : "fail")\" data-gate=\"\(Markup.escape(g.gate))\">\(Markup.escape(g.words))</li>"
            }
            out += "</ul>\n"
        }
        if let m = c.markup { out += "<p class=\"markup-note\">marked: \(Markup.escape(m.note))</p>\n" }
        if let who = c.decidedBy { out += "<p class=\"decided\">decided by \(Markup.escape(who))</p>\n" }
        out += "<div class=\"actions\">"
        for a in actions {
            out += "<button type=\"button\" data-action=\"\(a.action)\"\(c.allows(a.action, mayDecide: mayDecide) ? "" : " disabled")>\(a.label)</button>"
        }
        out += "</div>\n</article>\n"
    }

    static func badge(_ c: AssetCard) -> String { c.status?.rawValue ?? c.stage.rawValue }

    static func altText(_ c: AssetCard) -> String {
        "SKU \(c.sku)" + (c.view.map { " view \($0)" } ?? "") + (c.variantOf != nil ? " (generated)" : "")
    }

    static let keyboardHelp = """
        <p class="keys"><kbd>j</kbd>/<kbd>→</kbd> next · <kbd>k</kbd>/<kbd>←</kbd> previous · <kbd>a</kbd> approve · \
        <kbd>r</kbd> reject · <kbd>c</kbd> compare · <kbd>t</kbd> original/master · <kbd>z</kbd> zoom · <kbd>Esc</kbd> close</p>

        """

    /// Dialogs the script fills in; no server text in them.
    static let overlays = """
        <dialog id="compare" class="overlay compare" aria-label="Compare original and master">
        <div class="overlay-bar">
        <span class="overlay-title" id="compare-title"></span>
        <button type="button" data-compare="toggle">Original / master (t)</button>
        <label class="slider">Split <input type="range" id="compare-slider" min="0" max="100" value="100"></label>
        <button type="button" data-compare="zoom">Zoom (z)</button>
        <button type="button" data-compare="close">Close (Esc)</button>
        </div>
        <div class="compare-stage" id="compare-stage">
        <img id="compare-original" class="layer original" alt="original">
        <img id="compare-master" class="layer master" alt="master on white">
        <div id="compare-markup" class="markup-box" hidden><span class="markup-label" id="compare-markup-note"></span></div>
        <div id="zoom" class="zoom" hidden><img id="zoom-img" alt="master at 100 %" draggable="false"></div>
        </div>
        <p class="overlay-hint" id="compare-hint">Click the master to see it at 100 %; drag to pan.</p>
        </dialog>
        <dialog id="reject" class="reject" aria-label="Reject">
        <form method="dialog" id="reject-form">
        <h2>Reject <span id="reject-title"></span></h2>
        <div class="reject-stage" id="reject-stage"><img id="reject-img" alt="master" draggable="false"><div id="reject-box" class="markup-box" hidden></div></div>
        <p class="hint">Drag on the image to mark where the problem is (optional).</p>
        <label>Note (required) <textarea id="reject-note" name="note" rows="3" required></textarea></label>
        <div class="dialog-buttons"><button type="submit" class="danger">Reject</button> <button type="button" data-close>Cancel</button></div>
        </form>
        </dialog>
        <dialog id="retry" class="retry" aria-label="Retry">
        <form method="dialog" id="retry-form">
        <h2>Retry <span id="retry-title"></span></h2>
        <label>Overrides, one <code>retouch.key=value</code> a line (empty: retry as it is)
        <textarea id="retry-overrides" name="overrides" rows="4" spellcheck="false"></textarea></label>
        <div class="dialog-buttons"><button type="submit" class="primary">Retry</button> <button type="button" data-close>Cancel</button></div>
        </form>
        </dialog>

        """
}

extension AssetCard {
    /// Whether a card's button works; the script applies the same rule after a live update.
    /// Approve and reject need the asset in review; a generated variant is not rebuilt on its own.
    public func allows(_ action: String, mayDecide: Bool) -> Bool {
        switch action {
        case "approve", "reject": return mayDecide && stage == .review
        case "retry", "rollback": return mayDecide && variantOf == nil
        case "compare": return master != nil
        default: return false
        }
    }
}
