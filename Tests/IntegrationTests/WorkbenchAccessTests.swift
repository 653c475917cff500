import Foundation
import PipelineCore
import XCTest

/// Who reaches the workbench and how, on the real daemon: a scraper's password for `/metrics`,
/// people changed by a reload without a restart, and the contact sheet's way to the workbench.
final class WorkbenchAccessTests: XCTestCase {
    func testMetricsTakeAWebUsersPasswordByHTTPBasicOrASession() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()

        let anonymous = try site.get("/metrics", accept: "text/plain")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("WWW-Authenticate")?.hasPrefix("Basic realm="), true, "\(anonymous.headers)")
        XCTAssertFalse(anonymous.text.contains("photopipe_up"))
        let wrong = try site.call("GET", "/metrics", headers: [("Authorization", Self.basic("vic", "not vic's"))])
        XCTAssertEqual(wrong.status, 401)
        let garbled = try site.call("GET", "/metrics", headers: [("Authorization", "Basic !!not base64!!")])
        XCTAssertEqual(garbled.status, 401)

        // A viewer may read them (prometheus_client parses what the scraper got).
        let m = try site.metrics()
        XCTAssertEqual(m["photopipe_up"]?[""], 1)
        // And so may a browser with a session.
        let rita = try site.login("rita", WorkbenchSite.ritaPassword)
        let seen = try site.get("/metrics", rita, accept: "text/plain")
        XCTAssertEqual(seen.status, 200)
        XCTAssertTrue(seen.text.contains("photopipe_up 1"), seen.text.prefix(500).description)

        // Guessing a scraper's password is limited like the login form: the wrong one above and
        // four more make five failures; the sixth try is refused, right password or not.
        for attempt in 2...5 {
            let r = try site.call("GET", "/metrics", headers: [("Authorization", Self.basic("vic", "guess \(attempt)"))])
            XCTAssertEqual(r.status, 401, "attempt \(attempt)")
        }
        let sixth = try site.call("GET", "/metrics", headers: [("Authorization", Self.basic("vic", WorkbenchSite.vicPassword))])
        XCTAssertEqual(sixth.status, 429)
        XCTAssertNotNil(sixth.header("Retry-After"))
    }

    func testOpenMetricsNeedNoPassword() throws {
        let site = try WorkbenchSite(extra: "")
        defer { site.cleanUp() }
        let text = try String(contentsOfFile: site.daemon.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "secure_cookies = false\n", with: "secure_cookies = false\nmetrics = \"open\"\n")
            .write(toFile: site.daemon.configPath, atomically: true, encoding: .utf8)
        try site.start()
        let r = try site.get("/metrics", accept: "text/plain")
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.text.contains("photopipe_up 1"))
        // Pages still need a session.
        XCTAssertEqual(try site.get("/api/batches").status, 401)
    }

    func testAReloadChangesWhoMayLogInAndEndsTheSessionsOfPeopleRemoved() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()
        let rita = try site.login("rita", WorkbenchSite.ritaPassword)
        let vic = try site.login("vic", WorkbenchSite.vicPassword)
        XCTAssertEqual(try site.get("/api/batches", rita).status, 200)
        XCTAssertEqual(try site.postLogin(user: "wes", password: WorkbenchSite.ritaPassword).status, 401, "wes is not configured yet")

        // Rita leaves; wes takes her place (with her hash, so her password); vic stays as she was.
        let text = try String(contentsOfFile: site.daemon.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("[web.user.rita]"))
        try text.replacingOccurrences(of: "[web.user.rita]", with: "[web.user.wes]")
            .write(toFile: site.daemon.configPath, atomically: true, encoding: .utf8)
        let reload = site.daemon.pipectl(["reload"])
        XCTAssertEqual(reload.status, 0, reload.err)
        XCTAssertTrue(waitUntil(timeout: 10) { (try? site.get("/healthz").status) == 200 }, site.daemon.log.suffix(2000).description)

        XCTAssertEqual(try site.get("/api/batches", rita).status, 401, "a removed reviewer's session ends with the reload")
        XCTAssertEqual(try site.postLogin(user: "rita", password: WorkbenchSite.ritaPassword).status, 401)
        XCTAssertEqual(try site.get("/api/batches", vic).status, 200, "vic's table did not change, so neither did her session")
        let wes = try site.postLogin(user: "wes", password: WorkbenchSite.ritaPassword)
        XCTAssertEqual(wes.status, 303, wes.text)
        XCTAssertNotNil(wes.cookie("pp_session"))
        XCTAssertFalse(site.daemon.log.contains("restart to use the new ones"))
    }

    func testTheContactSheetLinksToTheWorkbenchAndItsCommandsNameTheSocket() throws {
        let site = try WorkbenchSite()
        defer { site.cleanUp() }
        try site.start()
        let shots = try WorkbenchSite.shots()
        let ids = try site.drop(shots.dir, batch: "sheet-day", count: shots.clean.count + shots.exceptions.count)
        let page = "\(site.daemon.root)/review/contact-sheets/sheet-day/index.html"
        let id = try XCTUnwrap(ids[shots.clean[0]])
        var html = ""
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.3) {
            html = (try? String(contentsOfFile: page, encoding: .utf8)) ?? ""
            return ids.values.allSatisfy { html.contains("id=\"\($0)\"") }   // every card, not an earlier page
        }, "no contact sheet at \(page)\n\(site.daemon.log.suffix(2000))")

        XCTAssertTrue(html.contains("href=\"http://127.0.0.1:\(site.port)/batch/sheet-day#a-\(id)\""), html)
        XCTAssertTrue(html.contains("--socket \(site.daemon.socket)"), "the test daemon's socket is not pipectl's default")
        XCTAssertFalse(html.contains("--reason …"))
        XCTAssertTrue(html.contains("--reason &#39;&#39;") || html.contains("--reason ''"), html)

        // The approve command on the card works as pasted (with the test's pipectl for `pipectl`).
        let line = try XCTUnwrap(Self.codeLines(html).first { $0.hasPrefix("pipectl approve \(id) ") }, "\(Self.codeLines(html))")
        let pasted = shell("/bin/sh", ["-c", Daemon.pipectl + line.dropFirst("pipectl".count)])
        XCTAssertEqual(pasted.status, 0, "\(line): \(pasted.err)")
        XCTAssertTrue(waitUntil(timeout: 60) { !site.daemon.assets(in: .review).contains(id) })
        // The reject command as pasted, reason still empty, is refused: nothing moves on a blank note.
        let other = try XCTUnwrap(ids[shots.clean[1]])
        let reject = try XCTUnwrap(Self.codeLines(html).first { $0.hasPrefix("pipectl reject \(other) ") })
        let blank = shell("/bin/sh", ["-c", Daemon.pipectl + reject.dropFirst("pipectl".count)])
        XCTAssertNotEqual(blank.status, 0)
        XCTAssertTrue(site.daemon.assets(in: .review).contains(other))
    }

    func testOnlyAnAdminPausesResumesAndReloadsThePipelineFromThePage() throws {
        let adaPassword = "ada's long admin passphrase"
        let site = try WorkbenchSite(extra: "[web.user.ada]\npassword = \"\(try WorkbenchSite.hashPassword(adaPassword))\"\nrole = \"admin\"\n")
        defer { site.cleanUp() }
        try site.start()
        let rita = try site.login("rita", WorkbenchSite.ritaPassword)
        let ada = try site.login("ada", adaPassword)

        XCTAssertFalse(try site.get("/", rita).text.contains("data-admin"), "a reviewer gets no pipeline controls")
        let refused = try site.post("/api/pause", [:], rita)
        XCTAssertEqual(refused.status, 403)
        XCTAssertFalse(try site.daemon.status().paused)

        let page = try site.get("/", ada).text
        XCTAssertTrue(page.contains("data-paused=\"false\"") && page.contains("data-admin=\"pause\""), page)
        let paused = try site.post("/api/pause", [:], ada)
        XCTAssertEqual(paused.status, 200, paused.text)
        XCTAssertTrue(try site.daemon.status().paused)
        XCTAssertTrue(try site.get("/", ada).text.contains("data-paused=\"true\""))
        let events = try String(contentsOfFile: "\(site.daemon.root)/events.jsonl", encoding: .utf8)
        XCTAssertTrue(events.contains("\"paused\"") && events.contains("ada"), "the event log names who paused")
        XCTAssertEqual(try site.post("/api/resume", [:], ada).status, 200)
        XCTAssertFalse(try site.daemon.status().paused)
        let reload = try site.post("/api/reload", [:], ada)
        XCTAssertEqual(reload.status, 200, reload.text)
        XCTAssertTrue(reload.text.contains("configuration reloaded"), reload.text)
        XCTAssertEqual(try site.get("/api/batches", ada).status, 200, "a reload with the same [web] keeps the sessions")
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The text of each `<code>` element, entities undone.
    static func codeLines(_ html: String) -> [String] {
        html.components(separatedBy: "<code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
            .map { $0.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&") }
    }
}
