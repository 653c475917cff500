import Foundation
import PipelineCore
import XCTest

/// The workbench over real HTTP against the real daemon: who may see and change what, how the
/// server treats odd requests, and that a reviewer's clicks do what `pipectl` does, with their
/// name on the decision.
final class WorkbenchHTTPTests: XCTestCase {
    func testOnlyTheLoginPageAnswersWithoutASessionAndChangesNeedTheCSRFToken() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()

        // No session: pages send the browser to the login form, the API says 401.
        let home = try site.get("/")
        XCTAssertEqual(home.status, 303)
        XCTAssertEqual(home.header("Location"), "/login")
        for path in ["/api/batches", "/api/batch/day-1", "/events", "/img/SKU-1_01-0123456789/thumb"] {
            let r = try site.get(path)
            XCTAssertEqual(r.status, 401, path)
            XCTAssertEqual(try r.json()["ok"] as? Bool, false, path)
        }
        XCTAssertEqual(try site.get("/batch/day-1").status, 303)
        // A browser's own request for an icon is no page: it must not be sent to (and renew) the login form.
        let icon = try site.get("/favicon.ico", accept: "image/avif,image/webp,*/*")
        XCTAssertEqual(icon.status, 401)
        XCTAssertNil(icon.header("Set-Cookie"))
        let health = try site.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.text.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        XCTAssertEqual(try site.get("/static/workbench.js").header("Content-Type")?.hasPrefix("text/javascript"), true)
        XCTAssertEqual(try site.get("/static/workbench.css").header("Content-Type")?.hasPrefix("text/css"), true)

        // The login form's token is double-submitted: cookie and hidden field agree; without it, no login.
        let form = try site.get("/login")
        XCTAssertEqual(form.status, 200)
        let kept = try XCTUnwrap(form.cookie("pp_login"), "\(form.headers)")
        XCTAssertEqual(WorkbenchSite.hiddenCSRF(form.text), kept.value)
        // A second load (a reload, another tab) keeps the browser's token, so neither form goes stale.
        let again = try site.call("GET", "/login", cookies: ["pp_login": kept.value])
        XCTAssertEqual(WorkbenchSite.hiddenCSRF(again.text), kept.value)
        let noToken = try site.call("POST", "/login", cookies: ["pp_login": kept.value],
                                    headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                    body: Array("user=rita&password=\(WorkbenchSite.ritaPassword)".utf8))
        XCTAssertEqual(noToken.status, 403)
        XCTAssertNil(noToken.cookie("pp_session"))

        let wrong = try site.postLogin(user: "rita", password: "not her password")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.text.contains("wrong user name or password"), wrong.text)
        XCTAssertNil(wrong.cookie("pp_session"))

        let ok = try site.postLogin(user: "rita", password: WorkbenchSite.ritaPassword)
        XCTAssertEqual(ok.status, 303)
        XCTAssertEqual(ok.header("Location"), "/")
        let session = try XCTUnwrap(ok.cookie("pp_session"), "\(ok.headers)")
        let attributes = Set(session.line.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertTrue(attributes.contains("HttpOnly"), session.line)
        XCTAssertTrue(attributes.contains("SameSite=Strict"), session.line)
        XCTAssertTrue(attributes.contains("Path=/"), session.line)
        XCTAssertFalse(attributes.contains("Secure"), "secure_cookies = false: \(session.line)")
        XCTAssertGreaterThanOrEqual(session.value.count, 32, "a session token long enough not to guess")
        let rita = try site.login("rita", WorkbenchSite.ritaPassword)

        // Every answer carries the security headers; the pages run no inline script or style.
        let page = try site.get("/", rita)
        XCTAssertEqual(page.status, 200)
        let api = try site.get("/api/batches", rita)
        for r in [page, home, health, api] {
            let csp = try XCTUnwrap(r.header("Content-Security-Policy"))
            for part in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "form-action 'self'"] {
                XCTAssertTrue(csp.contains(part), "\(part) in \(csp)")
            }
            XCTAssertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp)
            XCTAssertEqual(r.header("X-Content-Type-Options"), "nosniff")
            XCTAssertEqual(r.header("X-Frame-Options"), "DENY")
            XCTAssertEqual(r.header("Referrer-Policy"), "same-origin")
            XCTAssertEqual(r.header("Cache-Control"), "no-store")
        }
        for html in [page.text, form.text] {
            XCTAssertFalse(html.contains("<style"), "no inline style element")
            XCTAssertNil(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression), "no inline event handler")
            XCTAssertNil(html.range(of: #"\sstyle\s*="#, options: .regularExpression), "no style attribute")
            for tag in html.components(separatedBy: "<script").dropFirst() {
                XCTAssertTrue(tag.prefix { $0 != ">" }.contains("src="), "a script element without src: <script\(tag.prefix(80))")
            }
        }

        // Changes need the page's token, in the header.
        let ids = ["ids": ["SKU-1_01-0123456789"]]
        let missing = try site.post("/api/approve", ids, rita, token: .missing)
        XCTAssertEqual(missing.status, 403)
        XCTAssertEqual(try missing.json()["ok"] as? Bool, false)
        XCTAssertEqual(try site.post("/api/approve", ids, rita, token: .wrong(String(rita.csrf.reversed()))).status, 403)
        XCTAssertEqual(try site.post("/api/approve", ids, rita, token: .wrong("")).status, 403)
        let otherToken = try site.login("rita", WorkbenchSite.ritaPassword)
        XCTAssertEqual(try site.post("/api/approve", ids, rita, token: .wrong(otherToken.csrf)).status, 403,
                       "another session's token is not this one's")
        let vic = try site.login("vic", WorkbenchSite.vicPassword)
        XCTAssertEqual(try site.get("/api/batches", vic).status, 200, "a viewer may look")
        let byViewer = try site.post("/api/approve", ids, vic)
        XCTAssertEqual(byViewer.status, 403, byViewer.text)

        // Image routes take asset ids, never paths.
        for target in ["/img/../../etc/passwd/thumb", "/img/%2e%2e%2fetc/thumb", "/img/%2e%2e/%2e%2e/etc/passwd/thumb",
                       "/img/SKU-9999_01-0123456789/thumb", "/img/SKU-9999_01-0123456789/crop?x=1&y=1&size=256",
                       "/static/../Package.swift", "/img/SKU-9999_01-0123456789/..%2f..%2fmanifest.json"] {
            let r = try site.get(target, rita)
            XCTAssertEqual(r.status, 404, target)
            XCTAssertFalse(r.text.contains("root:"), target)
        }

        // A body over 64 KiB is refused from its Content-Length, before it is read.
        let big = try HTTPConnection(port: site.port, timeout: 10)
        try big.send(Array("POST /api/approve HTTP/1.1\r\nHost: x\r\nCookie: pp_session=\(rita.cookie)\r\nX-CSRF-Token: \(rita.csrf)\r\nContent-Type: application/json\r\nContent-Length: \(64 * 1024 + 1)\r\n\r\n".utf8))
        XCTAssertEqual(try big.readReply().status, 413)
        XCTAssertTrue(big.isClosed(timeout: 5), "and the connection is closed")
        let atLimit = try site.post("/api/approve", ["ids": ["SKU-1_01-0123456789"], "pad": String(repeating: "a", count: 64 * 1024 - 64)], rita)
        XCTAssertEqual(atLimit.status, 409, "a body within the limit is read: \(atLimit.text.prefix(200))")

        // HEAD, then two more requests on the same connection.
        let c = try HTTPConnection(port: site.port)
        try c.send("HEAD", "/static/workbench.js")
        let head = try c.readReply(head: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Connection")?.lowercased(), "keep-alive")
        let js = try site.get("/static/workbench.js")
        XCTAssertEqual(head.header("Content-Length"), "\(js.body.count)", "HEAD tells the length of what GET sends")
        XCTAssertGreaterThan(js.body.count, 0)
        try c.send("GET", "/api/batches", headers: [("Cookie", "pp_session=\(rita.cookie)")])
        let second = try c.readReply()
        XCTAssertEqual(second.status, 200, second.text)
        XCTAssertNotNil(try second.json()["batches"] as? [Any], "HEAD sent no body, so the second answer parses")
        try c.send("GET", "/healthz", close: true)
        XCTAssertEqual(try c.readReply().text.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        XCTAssertTrue(c.isClosed(timeout: 5), "Connection: close is honoured")

        // Logging out ends the session (with the token), and the cookie is worth nothing after.
        XCTAssertEqual(try site.call("POST", "/logout", cookies: ["pp_session": rita.cookie]).status, 403, "logout needs the token too")
        let out = try site.post("/logout", [:], rita)
        XCTAssertEqual(out.status, 303)
        XCTAssertEqual(out.header("Location"), "/login")
        XCTAssertEqual(try site.get("/api/batches", rita).status, 401)
        XCTAssertEqual(try site.get("/api/batches", otherToken).status, 200, "her other session is still open")
    }

    func testTheSixthFailedLoginInARowIsRefusedForAWhile() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()
        for attempt in 1...5 {
            let r = try site.postLogin(user: "rita", password: "guess \(attempt)")
            XCTAssertEqual(r.status, 401, "attempt \(attempt)")
        }
        let sixth = try site.postLogin(user: "rita", password: "guess 6")
        XCTAssertEqual(sixth.status, 429)
        let wait = try XCTUnwrap(sixth.header("Retry-After").flatMap { Int($0) }, "\(sixth.headers)")
        XCTAssertTrue((1...300).contains(wait), "Retry-After \(wait) s is within the 5-minute window")
        // Not even the right password gets through while the address is refused.
        let right = try site.postLogin(user: "rita", password: WorkbenchSite.ritaPassword)
        XCTAssertEqual(right.status, 429)
        XCTAssertNil(right.cookie("pp_session"))
    }

    func testReviewerDecisionsOverHTTPMoveFilesAndCarryHerName() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()
        let d = site.daemon, layout = Layout(root: d.root)
        let shots = try WorkbenchSite.shots()
        let ids = try site.drop(shots.dir, batch: "day-1", count: 6)
        let clean = Set(shots.clean.compactMap { ids[$0] })
        let exceptions = shots.exceptions.keys.sorted().compactMap { ids[$0] }
        XCTAssertEqual(clean.count, 4)
        XCTAssertEqual(exceptions.count, 2)
        let rita = try site.login("rita", WorkbenchSite.ritaPassword)
        let vic = try site.login("vic", WorkbenchSite.vicPassword)

        // What the pages are built from.
        let rows = try XCTUnwrap(try site.get("/api/batches", rita).json()["batches"] as? [[String: Any]])
        let row = try XCTUnwrap(rows.first { $0["batch"] as? String == "day-1" }, "\(rows)")
        XCTAssertEqual(row["total"] as? Int, 6)
        XCTAssertEqual(row["waiting"] as? Int, 6)
        XCTAssertEqual(row["exceptions"] as? Int, 2)
        let view = try site.get("/api/batch/day-1", rita).json()
        XCTAssertEqual(view["cleanWaiting"] as? Int, 4)
        let cards = try XCTUnwrap(view["assets"] as? [[String: Any]])
        XCTAssertEqual(Set(cards.compactMap { $0["id"] as? String }), Set(ids.values))
        XCTAssertEqual(Set(cards.prefix(2).compactMap { $0["id"] as? String }), Set(exceptions), "SKUs with exceptions come first")
        for card in cards where exceptions.contains(card["id"] as? String ?? "") {
            XCTAssertEqual(card["status"] as? String, "exception")
            let failed = (card["gates"] as? [[String: Any]] ?? []).filter { $0["passed"] as? Bool == false }.compactMap { $0["gate"] as? String }
            let planted = shots.exceptions.first { ids[$0.key] == card["id"] as? String }?.value ?? "?"
            XCTAssertTrue(failed.contains(planted), "\(card["id"] ?? "") fails \(failed), not \(planted)")
        }
        let first = try XCTUnwrap(clean.sorted().first)
        let master = try XCTUnwrap(cards.first { $0["id"] as? String == first }?["master"] as? [String: Any])
        let mw = try XCTUnwrap(master["width"] as? Int)
        let mh = try XCTUnwrap(master["height"] as? Int)

        // Images: the thumbnail, and a 100 % crop made by the preview child.
        let thumb = try site.get("/img/\(first)/thumb", rita)
        XCTAssertEqual(thumb.status, 200, thumb.text)
        XCTAssertEqual(thumb.header("Content-Type"), "image/jpeg")
        XCTAssertEqual(thumb.header("Cache-Control"), "private, max-age=60")
        XCTAssertNotNil(jpegSize(thumb.body))
        let crop = try site.get("/img/\(first)/crop?x=\(mw / 3)&y=\(mh / 3)&size=256", rita)
        XCTAssertEqual(crop.status, 200, crop.text)
        XCTAssertEqual(crop.header("Content-Type"), "image/jpeg")
        let size = try XCTUnwrap(jpegSize(crop.body), "not a JPEG: \(crop.body.prefix(16))")
        XCTAssertEqual([size.width, size.height], [256, 256])
        let again = try site.get("/img/\(first)/crop?x=\(mw / 3)&y=\(mh / 3)&size=256", rita)
        XCTAssertEqual(again.body, crop.body, "the same crop again comes from the cache")
        let cached = "\(d.root)/.work/previews/\(first)"
        XCTAssertFalse(((try? FileManager.default.contentsOfDirectory(atPath: cached)) ?? []).isEmpty, cached)

        // A viewer's decision is refused and changes nothing.
        XCTAssertEqual(try site.post("/api/approve-clean", ["batch": "day-1"], vic).status, 403)
        XCTAssertEqual(try site.post("/api/approve", ["ids": [first]], vic).status, 403)
        XCTAssertEqual(d.assets(in: .review).count, 6)

        // A live-update stream, open before the decision.
        let events = try HTTPConnection(port: site.port, timeout: 60)
        try events.send("GET", "/events", headers: [("Cookie", "pp_session=\(rita.cookie)"), ("Accept", "text/event-stream")])
        let opened = try events.read { $0.contains("\r\n\r\n") }
        XCTAssertTrue(opened.hasPrefix("HTTP/1.1 200"), opened)
        XCTAssertTrue(opened.lowercased().contains("content-type: text/event-stream"), opened)

        // One click approves exactly the clean waiting ones; the exceptions stay.
        let approved = try site.post("/api/approve-clean", ["batch": "day-1"], rita)
        XCTAssertEqual(approved.status, 200, approved.text)
        let reply = try approved.json()
        XCTAssertEqual(reply["ok"] as? Bool, true)
        XCTAssertTrue((reply["message"] as? String ?? "").contains("approved 4"), "\(reply)")
        XCTAssertEqual(Set(d.assets(in: .review)), Set(exceptions))
        for id in clean { XCTAssertFalse(FileManager.default.fileExists(atPath: layout.asset(id, in: .review)), id) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cached), "a decided asset's previews are dropped from the cache")
        XCTAssertTrue(waitUntil(timeout: 120, poll: 0.3) { Set(d.assets(in: .export)) == clean }, "exported: \(d.assets(in: .export))\n\(d.log.suffix(2000))")
        for id in clean {
            let m = try d.manifest(id, in: .export)
            XCTAssertEqual(m.review?.status, .approved, id)
            XCTAssertEqual(m.review?.decidedBy, "rita", id)
            XCTAssertTrue(m.history.contains { $0.note?.contains("rita") ?? false }, "\(m.history)")
        }
        let stream = try events.read { text in clean.contains { text.contains("\"id\":\"\($0)\"") } }
        XCTAssertTrue(stream.contains("event: changed\n"), stream)
        let frame = try XCTUnwrap(stream.components(separatedBy: "\n\n").first { f in clean.contains { f.contains("\"id\":\"\($0)\"") } })
        let data = try XCTUnwrap(frame.split(separator: "\n").first { $0.hasPrefix("data: ") }).dropFirst(6)
        let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        XCTAssertEqual(event["batch"] as? String, "day-1")
        XCTAssertNotNil(event["stage"] as? String)
        let nothingLeft = try site.post("/api/approve-clean", ["batch": "day-1"], rita)
        XCTAssertTrue(nothingLeft.text.contains("approved 0") && nothingLeft.text.contains("2 exceptions left"), nothingLeft.text)
        XCTAssertEqual(Set(d.assets(in: .review)), Set(exceptions))

        // Reject an exception with a note and a box drawn on the master.
        let (a, b) = (exceptions[0], exceptions[1])
        XCTAssertEqual(try site.post("/api/reject", ["id": a, "note": "  "], rita).status, 400, "the note is required")
        XCTAssertEqual(try site.post("/api/reject", ["id": a, "note": "x", "box": ["x": 0, "y": 0, "w": 0, "h": 10]], rita).status, 400)
        let note = "dust on the lid"
        let box = ["x": 10, "y": 20, "w": 300, "h": 200]
        let rejected = try site.post("/api/reject", ["id": a, "note": note, "box": box], rita)
        XCTAssertEqual(rejected.status, 200, rejected.text)
        XCTAssertEqual(try rejected.json()["ok"] as? Bool, true)
        XCTAssertEqual(d.assets(in: .failed), [a])
        let failed = try d.manifest(a, in: .failed)
        XCTAssertEqual(failed.review?.status, .rejected)
        XCTAssertEqual(failed.review?.decidedBy, "rita")
        let last = try XCTUnwrap(failed.reviewNotes?.last)
        XCTAssertEqual(last.by, "rita")
        XCTAssertEqual(last.note, note)
        XCTAssertEqual(last.box, NoteBox(x: 10, y: 20, w: 300, h: 200))
        XCTAssertEqual(try site.post("/api/reject", ["id": a, "note": note], rita).status, 409, "no longer waiting in review")

        // pipectl stores a box the same way, with the socket peer's name.
        let cli = d.pipectl(["reject", b, "--reason", "label upside down", "--box", "5,6,70,80"])
        XCTAssertEqual(cli.status, 0, cli.err)
        let byCLI = try XCTUnwrap(try d.manifest(b, in: .failed).reviewNotes?.last)
        XCTAssertEqual(byCLI.note, "label upside down")
        XCTAssertEqual(byCLI.box, NoteBox(x: 5, y: 6, w: 70, h: 80))
        XCTAssertTrue(byCLI.by.contains("uid \(getuid())"), byCLI.by)
        XCTAssertNotEqual(d.pipectl(["reject", b, "--reason", "x", "--box", "5,6,0,80"]).status, 0)

        // A retry brings the rejected asset back to review, and its page still shows the markup.
        let retried = try site.post("/api/retry", ["id": a], rita)
        XCTAssertEqual(retried.status, 200, retried.text)
        XCTAssertTrue(waitUntil(timeout: 120, poll: 0.3) { d.assets(in: .review).contains(a) }, String(d.log.suffix(2000)))
        let after = try XCTUnwrap(try site.get("/api/batch/day-1", rita).json()["assets"] as? [[String: Any]])
        let card = try XCTUnwrap(after.first { $0["id"] as? String == a })
        XCTAssertEqual(card["stage"] as? String, "review")
        let markup = try XCTUnwrap(card["markup"] as? [String: Any], "\(card)")
        XCTAssertTrue((markup["note"] as? String ?? "").contains(note), "\(markup)")
        let shown = try XCTUnwrap(markup["box"] as? [String: Any])
        XCTAssertEqual(shown.mapValues { $0 as? Int ?? -1 }, box)
        XCTAssertEqual(try d.manifest(a, in: .review).reviewNotes?.count, 1, "kept across the retry")
        let otherCard = try XCTUnwrap(after.first { $0["id"] as? String == b })
        XCTAssertEqual(otherCard["stage"] as? String, "failed")
    }
}
