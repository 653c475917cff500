import Foundation
import PipelineCore
import XCTest
@testable import Workbench

/// The workbench's pages and JSON: the contract's shapes, the reviewer's order, escaping, and
/// nothing the Content-Security-Policy would block.
final class PagesTests: XCTestCase {
    private func card(_ id: String, sku: String = "AB-12", view: Int? = 1, stage: Queue = .review, status: ReviewStatus? = .exception,
                      sampled: Bool = false, variantOf: String? = nil, gates: [GateLine] = [], markup: RejectMarkup? = nil) -> AssetCard {
        AssetCard(id: id, sku: sku, view: view, stage: stage, status: status, sampled: sampled, variantOf: variantOf,
                  decidedBy: "photopiped", reason: "reason of \(id)", gates: gates, markup: markup, master: Size(width: 2000, height: 1500))
    }

    private func jsonObject(_ value: some Encodable) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
    }

    private func batchPage(_ cards: [AssetCard], clean: Int = 0, mayDecide: Bool = true, batch: String = "shoot-01") -> String {
        BatchPage.render(view: BatchView(batch: batch, cleanWaiting: clean, assets: cards), mayDecide: mayDecide,
                         user: "alice", role: "reviewer", csrf: "tok")
    }

    private func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    // MARK: - JSON shapes

    func testAssetJSONHasEveryContractKeyWithNulls() throws {
        let bare = AssetCard(id: "a-1", sku: "AB-12", view: nil, stage: .failed, status: nil)
        let o = try jsonObject(bare)
        XCTAssertEqual(Set(o.keys), ["id", "sku", "view", "stage", "status", "sampled", "variantOf", "decidedBy", "reason", "gates", "markup", "master"])
        for key in ["view", "status", "variantOf", "decidedBy", "reason", "markup", "master"] { XCTAssertTrue(o[key] is NSNull, key) }
        XCTAssertEqual(o["stage"] as? String, "failed")

        var full = card("b-2", status: .autoApproved, gates: [GateLine(gate: "resolution", passed: true, words: "w")],
                        markup: RejectMarkup(note: "dust", box: .init(x: 10, y: 20, w: 300, h: 200)))
        full.variantOf = "b-1"
        let f = try jsonObject(full)
        XCTAssertEqual(f["status"] as? String, "auto-approved")
        XCTAssertEqual(f["master"] as? [String: Int], ["width": 2000, "height": 1500])
        let markup = try XCTUnwrap(f["markup"] as? [String: Any])
        XCTAssertEqual(markup["note"] as? String, "dust")
        XCTAssertEqual(markup["box"] as? [String: Int], ["x": 10, "y": 20, "w": 300, "h": 200])
        XCTAssertEqual((f["gates"] as? [[String: Any]])?.first?.keys.sorted(), ["gate", "passed", "words"])
        XCTAssertEqual(try JSONDecoder().decode(AssetCard.self, from: JSONEncoder().encode(full)), full)
        XCTAssertEqual(try JSONDecoder().decode(AssetCard.self, from: JSONEncoder().encode(bare)), bare)
    }

    func testBatchRowsViewAndReplyKeys() throws {
        XCTAssertEqual(Set(try jsonObject(BatchRow(batch: "B")).keys),
                       ["batch", "total", "waiting", "exceptions", "sampled", "generated", "approved", "autoApproved", "rejected", "exported", "failed"])
        XCTAssertEqual(Set(try jsonObject(BatchView(batch: "B", cleanWaiting: 2, assets: [])).keys), ["batch", "cleanWaiting", "assets"])
        let reply = try jsonObject(ActionReply(ok: true, message: "approved 50; 3 exceptions left waiting"))
        XCTAssertEqual(reply["ok"] as? Bool, true)
        XCTAssertEqual(reply["message"] as? String, "approved 50; 3 exceptions left waiting")
    }

    func testCardFromManifest() {
        var m = Manifest(id: "AB-12_1-00aa", batch: "B", sourceName: "AB-12_1.jpg", original: "originals/B/AB-12_1.jpg", sha256: "00aa",
                         bytes: 1, sku: "AB-12", view: 1, skuSource: "name", arrivedAt: Date(timeIntervalSince1970: 0))
        m.master = MasterInfo(file: "master.png", width: 1800, height: 1200)
        var review = ReviewRecord(status: .sampled, gates: [
            GateResult(gate: "near-duplicate", value: 2, threshold: 3, passed: false,
                       reason: "near-duplicate of AB-12_2-00bb (SKU AB-12, distance 2.0): keep one of the two frames"),
        ], decidedBy: "photopiped", reason: "held")
        review.sampled = true
        m.review = review
        let c = AssetCard(m, stage: .review, views: ["AB-12_2-00bb": 2])
        XCTAssertEqual(c.status, .sampled)
        XCTAssertTrue(c.sampled)
        XCTAssertEqual(c.master, Size(width: 1800, height: 1200))
        XCTAssertEqual(c.decidedBy, "photopiped")
        XCTAssertEqual(c.gates.first?.words.hasPrefix("near-duplicate of view 2 (AB-12_2-00bb)"), true)
    }

    // MARK: - Order

    func testGroupedPutsExceptionsThenSampledSkusFirstAndVariantsAfterTheirSource() {
        let cards = [
            card("rest-1", sku: "A", view: 1, stage: .approved, status: .autoApproved),
            card("samp-2", sku: "B", view: 2, status: .sampled, sampled: true),
            card("rest-b1", sku: "B", view: 1, stage: .approved, status: .approved),
            card("gen-of-c1", sku: "C", view: nil, status: .generated, variantOf: "c-view1"),
            card("c-view1", sku: "C", view: 1, stage: .approved, status: .autoApproved),
            card("c-view3", sku: "C", view: 3, status: .exception),
            card("c-view2", sku: "C", view: 2, status: .held),
            card("exc-d", sku: "D", view: 5, status: .exception),
        ]
        XCTAssertEqual(BatchView.grouped(cards).map(\.id),
                       ["c-view3", "c-view2", "c-view1", "gen-of-c1", "exc-d", "samp-2", "rest-b1", "rest-1"])
        XCTAssertEqual(BatchView.sections(cards).map { $0.sku }, ["C", "D", "B", "A"])
        // The view stores its assets grouped, whatever order it was given.
        XCTAssertEqual(BatchView(batch: "x", cleanWaiting: 0, assets: cards.reversed()).assets.map(\.id), BatchView.grouped(cards).map(\.id))
    }

    func testVariantWithoutItsSourceKeepsItsOwnPlace() {
        let cards = [card("v", sku: "A", view: nil, status: .generated, variantOf: "gone"), card("x", sku: "A", view: 1, status: .exception)]
        XCTAssertEqual(BatchView.grouped(cards).map(\.id), ["x", "v"])
    }

    // MARK: - Batch page

    func testBatchPageOrderMatchesGroupedOrder() throws {
        let cards = [card("late", sku: "Z", view: 1, status: .sampled, sampled: true), card("first", sku: "Y", view: 2, status: .exception)]
        let html = batchPage(cards)
        let first = try XCTUnwrap(html.range(of: "id=\"a-first\""))
        let late = try XCTUnwrap(html.range(of: "id=\"a-late\""))
        XCTAssertLessThan(first.lowerBound, late.lowerBound)
        XCTAssertEqual(count("<section class=\"sku\" data-sku=", in: html), 2)
    }

    func testHostileTextIsEscapedEverywhere() {
        let evil = "<script>alert(1)</script>"
        let c = AssetCard(id: "ok-1", sku: evil, view: 1, stage: .review, status: .exception, decidedBy: "\"><img src=x onerror=alert(2)>",
                          reason: evil, gates: [GateLine(gate: "g\"<", passed: false, words: evil)],
                          markup: RejectMarkup(note: evil, box: .init(x: 1, y: 2, w: 3, h: 4)), master: nil)
        let html = batchPage([c], batch: evil)
        XCTAssertFalse(html.contains("<script>alert"))
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("data-sku=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        XCTAssertTrue(html.contains("data-markup-note=\"&lt;script&gt;"))
        XCTAssertTrue(html.contains("data-box=\"1,2,3,4\""))
        XCTAssertTrue(html.contains("&quot;&gt;&lt;img src=x"))
        let batches = BatchesPage.render(rows: [BatchRow(batch: evil, total: 1)], user: evil, role: "viewer", csrf: "\"t")
        XCTAssertFalse(batches.contains("<script>alert"))
        XCTAssertTrue(batches.contains("content=\"&quot;t\""))
        XCTAssertTrue(batches.contains("href=\"/batch/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""))
    }

    func testApproveCleanButtonCountsAndDisables() {
        XCTAssertTrue(batchPage([], clean: 3).contains("data-action=\"approve-clean\" data-count=\"3\">Approve 3 clean assets</button>"))
        XCTAssertTrue(batchPage([], clean: 1).contains(">Approve 1 clean asset</button>"))
        XCTAssertTrue(batchPage([], clean: 0).contains("data-count=\"0\" disabled>Approve 0 clean assets</button>"))
        XCTAssertTrue(batchPage([], clean: 5, mayDecide: false).contains("data-count=\"5\" disabled>Approve 5 clean assets</button>"))
        XCTAssertTrue(batchPage([]).contains("<p class=\"keys\">"))
    }

    func testArticleCarriesWhatTheScriptNeeds() {
        let gates = [GateLine(gate: "resolution", passed: true, words: "frame ok"), GateLine(gate: "sharpness", passed: false, words: "blurred")]
        let source = card("src-1", view: 1, gates: gates, markup: RejectMarkup(note: "dust", box: .init(x: 10, y: 20, w: 30, h: 40)))
        let variant = card("var-1", view: nil, status: .generated, variantOf: "src-1")
        let html = batchPage([variant, source])
        XCTAssertTrue(html.contains("<article class=\"asset\" id=\"a-src-1\" data-id=\"src-1\" data-sku=\"AB-12\" data-view=\"1\" data-status=\"exception\" data-stage=\"review\" tabindex=\"0\" data-master-w=\"2000\" data-master-h=\"1500\" data-markup-note=\"dust\" data-box=\"10,20,30,40\">"))
        XCTAssertTrue(html.contains("<img loading=\"lazy\" src=\"/img/src-1/thumb\" alt=\"SKU AB-12 view 1\">"))
        XCTAssertTrue(html.contains("<span class=\"badge\">exception</span>"))
        XCTAssertTrue(html.contains("<ul class=\"gates\"><li class=\"fail\" data-gate=\"sharpness\">blurred</li><li class=\"pass\" data-gate=\"resolution\">frame ok</li></ul>"))
        XCTAssertTrue(html.contains("<p class=\"markup-note\">marked: dust</p>"))
        XCTAssertTrue(html.contains("<p class=\"decided\">decided by photopiped</p>"))
        XCTAssertTrue(html.contains("<p class=\"variant-of\">generated from <a href=\"#a-src-1\">src-1</a></p>"))
        XCTAssertTrue(html.contains("class=\"asset variant\" id=\"a-var-1\""))
        // The variant follows its source.
        XCTAssertLessThan(html.range(of: "id=\"a-src-1\"")!.lowerBound, html.range(of: "id=\"a-var-1\"")!.lowerBound)
        for action in ["approve", "reject", "retry", "rollback", "compare"] {
            XCTAssertEqual(count("data-action=\"\(action)\"", in: html), 2, action)
        }
        // The overlays the script drives are there.
        for id in ["compare", "compare-slider", "compare-master", "compare-original", "zoom", "reject", "reject-note", "retry", "retry-overrides"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), id)
        }
    }

    func testButtonsFollowStageAndRole() {
        let waiting = card("w", status: .sampled)
        let gone = card("g", stage: .export, status: .approved)
        let variant = card("v", status: .generated, variantOf: "w")
        XCTAssertTrue(waiting.allows("approve", mayDecide: true))
        XCTAssertFalse(waiting.allows("approve", mayDecide: false))
        XCTAssertFalse(gone.allows("reject", mayDecide: true))
        XCTAssertTrue(gone.allows("rollback", mayDecide: true))
        XCTAssertFalse(variant.allows("retry", mayDecide: true))
        XCTAssertTrue(variant.allows("compare", mayDecide: false))
        let viewer = batchPage([waiting], mayDecide: false)
        XCTAssertTrue(viewer.contains("<button type=\"button\" data-action=\"approve\" disabled>"))
        XCTAssertTrue(viewer.contains("<button type=\"button\" data-action=\"compare\">"))
        XCTAssertTrue(viewer.contains("data-may-decide=\"false\""))
    }

    func testFiveHundredCardsRenderEveryOne() {
        let cards = (0..<500).map { i in
            card("asset-\(i)", sku: "SKU-\(i / 5)", view: i % 5 + 1, status: i % 7 == 0 ? .exception : .sampled, sampled: i % 7 != 0,
                 gates: [GateLine(gate: "resolution", passed: i % 7 != 0, words: "frame \(i) px")])
        }
        let html = batchPage(cards, clean: 428)
        XCTAssertEqual(count("<article class=\"asset", in: html), 500)
        XCTAssertEqual(count("<section class=\"sku\"", in: html), 100)
        XCTAssertTrue(html.contains(">Approve 428 clean assets</button>"))
    }

    // MARK: - Other pages

    func testBatchesPageRows() {
        let rows = [BatchRow(batch: "shoot 01/é", total: 10, waiting: 3, exceptions: 1, exported: 5, failed: 1),
                    BatchRow(batch: "done", total: 4, rejected: 1, exported: 3)]
        let html = BatchesPage.render(rows: rows, user: "alice", role: "admin", csrf: "tok")
        XCTAssertTrue(html.contains("<a href=\"/batch/shoot%2001%2F%C3%A9\">shoot 01/é</a>"))
        XCTAssertTrue(html.contains("<td data-field=\"waits-for\" class=\"waits\">reviewers (3 waiting)</td>"))
        XCTAssertTrue(html.contains("<td data-field=\"waits-for\" class=\"idle\">nobody</td>"))
        XCTAssertTrue(html.contains("<progress data-field=\"progress\" max=\"10\" value=\"5\">"))
        XCTAssertTrue(html.contains("<progress data-field=\"progress\" max=\"4\" value=\"4\">"))
        XCTAssertTrue(html.contains("<td class=\"num\" data-field=\"exceptions\">1</td>"))
        XCTAssertEqual(count("<tr data-batch=", in: html), 2)
        XCTAssertTrue(html.contains("<p class=\"empty\" hidden>"))
    }

    func testFrameHasTokenAssetsAndLogout() {
        let html = PageFrame.render(title: "T", user: "alice", role: "reviewer", csrf: "abc", body: "<main></main>")
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"))
        XCTAssertTrue(html.contains("<meta name=\"csrf-token\" content=\"abc\">"))
        XCTAssertTrue(html.contains("<script src=\"/static/workbench.js\" defer></script>"))
        XCTAssertTrue(html.contains("<link rel=stylesheet href=\"/static/workbench.css\">"))
        XCTAssertTrue(html.contains("<form class=\"logout\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"abc\">"))
        XCTAssertTrue(html.contains("alice <span class=\"role\">(reviewer)</span>"))
        XCTAssertTrue(html.contains("<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>"))
    }

    func testLoginPage() {
        let html = LoginPage.render(error: "wrong user name or password", csrf: "login<tok>")
        XCTAssertTrue(html.contains("<form class=\"login\" method=\"post\" action=\"/login\">"))
        XCTAssertTrue(html.contains("name=\"user\""))
        XCTAssertTrue(html.contains("type=\"password\" name=\"password\""))
        XCTAssertTrue(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"login&lt;tok&gt;\">"))
        XCTAssertTrue(html.contains("<p class=\"error\" role=\"alert\">wrong user name or password</p>"))
        XCTAssertFalse(html.contains("action=\"/logout\""))
        XCTAssertFalse(LoginPage.render(error: nil, csrf: "t").contains("class=\"error\""))
    }

    /// The CSP allows scripts and styles only from /static: no inline script, style or handler.
    func testNoPageHasInlineScriptOrStyle() {
        let pages = [
            LoginPage.render(error: "x", csrf: "t"),
            BatchesPage.render(rows: [BatchRow(batch: "b", total: 2, waiting: 1)], user: "u", role: "viewer", csrf: "t"),
            batchPage([card("a"), card("b", status: .generated, variantOf: "a", markup: RejectMarkup(note: "n", box: nil))], clean: 1),
        ]
        for html in pages {
            XCTAssertFalse(html.lowercased().contains("style="))
            XCTAssertFalse(html.lowercased().contains("<style"))
            XCTAssertFalse(html.lowercased().contains("javascript:"))
            let scripts = html.components(separatedBy: "<script").dropFirst()
            XCTAssertEqual(scripts.count, 1)
            for s in scripts { XCTAssertTrue(s.hasPrefix(" src=\"/static/workbench.js\" defer></script>"), s) }
            XCTAssertNil(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression), "inline event handler")
        }
    }

    // MARK: - Static files

    func testScriptIsValidJavaScript() throws {
        guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("node is not installed")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-\(ProcessInfo.processInfo.processIdentifier).js")
        try StaticScript.source.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: node)
        p.arguments = ["--check", file.path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, message)
    }

    func testScriptKeepsToTheRules() {
        let js = StaticScript.source
        for html in [".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write"] { XCTAssertFalse(js.contains(html), html) }
        XCTAssertFalse(js.contains("eval("))
        XCTAssertFalse(js.contains("new Function"))
        XCTAssertFalse(js.contains("setAttribute('style'"))
        // What the script talks to, as the contract names it.
        for path in ["'/events'", "'/api/approve'", "'/api/reject'", "'/api/retry'", "'/api/rollback'", "'/api/approve-clean'",
                     "'/api/batch/'", "'/api/batches'", "'X-CSRF-Token'", "'original') + '?w=1600'", "'master') + '?w=1600'", "&size=512"] {
            XCTAssertTrue(js.contains(path), path)
        }
        // The batches page updates the same counts the table shows.
        for c in BatchesPage.columns { XCTAssertTrue(js.contains("'\(c.field)'"), c.field) }
    }

    func testStyleCoversTheStatuses() {
        let css = StaticStyle.source
        for selector in ["[data-status=\"exception\"]", "[data-status=\"sampled\"]", "[data-status=\"generated\"]", "article.asset.current",
                         "dialog.overlay", ".zoom", "input[type=\"range\"]", "dialog::backdrop"] {
            XCTAssertTrue(css.contains(selector), selector)
        }
        XCTAssertEqual(count("{", in: css), count("}", in: css))
    }

    func testAnAdminsBatchesPageHasThePipelineControlsAndOthersDoNot() {
        let admin = BatchesPage.render(rows: [], user: "ada", role: "admin", csrf: "t", paused: true)
        XCTAssertTrue(admin.contains("<main class=\"batches\" data-paused=\"true\">"), admin)
        for action in ["pause", "resume", "reload"] { XCTAssertTrue(admin.contains("data-admin=\"\(action)\""), action) }
        XCTAssertTrue(admin.contains("Paused: nothing new starts."))
        let reviewer = BatchesPage.render(rows: [], user: "rita", role: "reviewer", csrf: "t")
        XCTAssertFalse(reviewer.contains("data-admin"))
        XCTAssertFalse(reviewer.contains("data-paused"))
    }
}
