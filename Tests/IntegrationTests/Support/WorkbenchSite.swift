import Foundation
import Imaging
import PipelineCore
import SampleShots
import XCTest

/// The real daemon with its workbench on a free local port, two people configured (rita reviews,
/// vic only looks), and helpers to log in and call the site as a browser would, cookies by hand.
final class WorkbenchSite {
    static let ritaPassword = "correct horse battery staple"
    static let vicPassword = "viewer's own passphrase"

    let daemon: Daemon
    let port: Int

    /// `review`: lines for the `[review]` table (`hold = true` keeps every asset waiting).
    init(review: String = "hold = true\n", extra: String = "") throws {
        port = S3Server.freePortBlock()
        let rita = try Self.hashPassword(Self.ritaPassword)
        let vic = try Self.hashPassword(Self.vicPassword)
        daemon = try Daemon(config: """
        [review]
        \(review)
        [web]
        listen = "127.0.0.1:\(port)"
        secure_cookies = false
        [web.user.rita]
        password = "\(rita)"
        role = "reviewer"
        [web.user.vic]
        password = "\(vic)"
        role = "viewer"
        \(extra)
        """)
    }

    func start() throws {
        try daemon.start()
        XCTAssertTrue(waitUntil(timeout: 20) { (try? self.get("/healthz").status) == 200 },
                      "the workbench does not answer on port \(port)\n\(daemon.log.suffix(2000))")
    }

    func cleanUp() { daemon.cleanUp() }

    /// `photopiped hash-password`, the password on stdin.
    static func hashPassword(_ password: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Daemon.photopiped)
        p.arguments = ["hash-password"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input; p.standardOutput = output; p.standardError = errors
        try p.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let hash = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, hash.hasPrefix("$") else {
            throw HTTPTestError("photopiped hash-password exited \(p.terminationStatus): \(hash) \(String(decoding: err, as: UTF8.self))")
        }
        return hash
    }

    // MARK: shots

    /// Four clean studio frames (two SKUs, two views each) and two planted defects that no sample
    /// can pass: a frame too small (resolution) and a product cut off at the edge (framing).
    static func shots() throws -> (dir: String, clean: [String], exceptions: [String: String]) {
        let planted = PlantedDefects.shots(count: 47)
        let clean = Array(planted[0..<4])
        let defects = [planted[29], planted[46]]
        precondition(clean.allSatisfy { $0.defect == nil } && defects.map(\.defect) == [.tooSmall, .cutOff])
        let dir = NSTemporaryDirectory() + "pp-web-shots-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Vips.start()
        for s in clean + defects where !FileManager.default.fileExists(atPath: "\(dir)/\(s.name)") {
            try s.frame.write(jpeg: "\(dir)/\(s.name)")
        }
        return (dir, clean.map(\.name), Dictionary(uniqueKeysWithValues: defects.map { ($0.name, $0.defect!.gate) }))
    }

    /// One more clean frame, for a drop while a page is open.
    static func lateShot() throws -> String {
        let dir = NSTemporaryDirectory() + "pp-web-late-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let s = PlantedDefects.shots(count: 6, firstSku: 4001)[4]
        let path = "\(dir)/\(s.name)"
        if !FileManager.default.fileExists(atPath: path) {
            try Vips.start()
            try s.frame.write(jpeg: path)
        }
        return path
    }

    /// Drops the shots into `inbox/<batch>/` and waits until all `count` wait in review; returns
    /// source name → asset id.
    func drop(_ dir: String, batch: String, count: Int, timeout: Double = 180) throws -> [String: String] {
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(dir)/", "\(daemon.inbox)/\(batch)/"]).status, 0)
        let ok = waitUntil(timeout: timeout, poll: 0.3) { self.daemon.assets(in: .review).count >= count }
        guard ok else {
            throw HTTPTestError("only \(daemon.assets(in: .review).count) of \(count) reached review; failed \(daemon.assets(in: .failed))\n\(daemon.log.suffix(3000))")
        }
        var ids: [String: String] = [:]
        for id in daemon.assets(in: .review) { ids[try daemon.manifest(id, in: .review).sourceName] = id }
        return ids
    }

    // MARK: requests

    /// One request on a fresh connection.
    func call(_ method: String, _ target: String, cookies: [String: String] = [:], headers: [(String, String)] = [],
              body: [UInt8] = []) throws -> HTTPReply {
        let c = try HTTPConnection(port: port)
        var h = headers
        if !cookies.isEmpty { h.append(("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        try c.send(method, target, headers: h, body: body, close: true)
        return try c.readReply(head: method == "HEAD")
    }

    /// As a browser navigates: asking for HTML.
    func get(_ target: String, _ s: WebSession? = nil, accept: String = "text/html,*/*;q=0.8") throws -> HTTPReply {
        try call("GET", target, cookies: s.map { ["pp_session": $0.cookie] } ?? [:], headers: [("Accept", accept)])
    }

    enum Token { case session, missing, wrong(String) }

    /// A JSON POST with the session's cookie and, unless told otherwise, its CSRF token.
    func post(_ path: String, _ json: [String: Any], _ s: WebSession, token: Token = .session) throws -> HTTPReply {
        var headers = [("Content-Type", "application/json")]
        switch token {
        case .session: headers.append(("X-CSRF-Token", s.csrf))
        case .missing: break
        case .wrong(let t): headers.append(("X-CSRF-Token", t))
        }
        return try call("POST", path, cookies: ["pp_session": s.cookie], headers: headers,
                        body: Array(try JSONSerialization.data(withJSONObject: json)))
    }

    /// GET /login, then POST /login with the form's double-submit token; the raw answer.
    func postLogin(user: String, password: String) throws -> HTTPReply {
        let form = try get("/login")
        guard form.status == 200, let kept = form.cookie("pp_login")?.value else {
            throw HTTPTestError("GET /login: \(form.status), no pp_login cookie: \(form.headers)")
        }
        let token = Self.hiddenCSRF(form.text) ?? kept
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
        let body = "user=\(enc(user))&password=\(enc(password))&csrf=\(enc(token))"
        return try call("POST", "/login", cookies: ["pp_login": kept],
                        headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// Logs in and reads the CSRF token from the batches page.
    func login(_ user: String, _ password: String) throws -> WebSession {
        let r = try postLogin(user: user, password: password)
        guard r.status == 303, let cookie = r.cookie("pp_session")?.value, !cookie.isEmpty else {
            throw HTTPTestError("login as \(user): \(r.status) \(r.headers) \(r.text.prefix(500))")
        }
        let page = try call("GET", "/", cookies: ["pp_session": cookie])
        guard page.status == 200, let csrf = Self.metaCSRF(page.text) else {
            throw HTTPTestError("GET / after login: \(page.status), no csrf-token meta: \(page.text.prefix(500))")
        }
        return WebSession(user: user, cookie: cookie, csrf: csrf)
    }

    /// The value of the login form's hidden `csrf` input, whatever the attribute order.
    static func hiddenCSRF(_ html: String) -> String? {
        for tag in html.components(separatedBy: "<input").dropFirst() {
            let t = String(tag.prefix { $0 != ">" })
            guard t.contains("name=\"csrf\"") else { continue }
            return attribute("value", in: t)
        }
        return nil
    }

    static func metaCSRF(_ html: String) -> String? {
        for tag in html.components(separatedBy: "<meta").dropFirst() {
            let t = String(tag.prefix { $0 != ">" })
            if t.contains("name=\"csrf-token\"") { return attribute("content", in: t) }
        }
        return nil
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: "\(name)=\"")?.upperBound, let end = tag[start...].firstIndex(of: "\"") else { return nil }
        return String(tag[start..<end])
    }

    /// `/metrics` parsed by prometheus_client (check_metrics.py), read with vic's name and password
    /// by HTTP Basic as a scraper would, as sample name →
    /// `label=value,…` (sorted by label name; "" for none) → value.
    func metrics() throws -> [String: [String: Double]] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("check_metrics.py").path
        let r = shell("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(port)/metrics", "vic", Self.vicPassword])
        guard r.status == 0 else { throw HTTPTestError("check_metrics.py exited \(r.status):\n\(r.err)\n\(r.out.prefix(2000))") }
        guard let parsed = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: [String: Double]] else {
            throw HTTPTestError("check_metrics.py printed no JSON: \(r.out.prefix(2000))")
        }
        return parsed
    }
}

/// A logged-in browser's state: the session cookie and the page's CSRF token.
struct WebSession {
    var user: String
    var cookie: String
    var csrf: String
}
