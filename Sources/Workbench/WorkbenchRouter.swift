import Foundation
import PipelineCore

/// Who is asking: the address the connection came from (a proxy's, behind one).
public struct WebClient: Sendable {
    public var address: String
    public init(address: String) { self.address = address }
}

/// Maps requests to answers. Nothing but the login page, `/healthz` (one word: ok or not) and the
/// static files is served without a session (`/metrics` takes a user's password by HTTP Basic); every change needs the session's CSRF token and a role that
/// may decide; image routes take asset ids, never paths.
public final class WorkbenchRouter: Sendable {
    public enum Outcome {
        case response(HTTPResponse)
        /// Server-sent events for this session's user; the server streams them.
        case events(user: String)
    }

    public static let maxBodyBytes = 64 * 1024
    static let sessionCookie = "pp_session"
    static let loginCookie = "pp_login"

    let settings: WebSettings
    let sessions: SessionStore
    let throttle: LoginThrottle
    let authenticator: Authenticator
    let backend: any WorkbenchBackend
    let healthy: @Sendable () -> Bool

    public init(settings: WebSettings, sessions: SessionStore, throttle: LoginThrottle, backend: any WorkbenchBackend,
                healthy: @escaping @Sendable () -> Bool) {
        self.settings = settings; self.sessions = sessions; self.throttle = throttle
        self.authenticator = Authenticator(settings: settings)
        self.backend = backend; self.healthy = healthy
    }

    public func handle(_ r: HTTPRequest, from client: WebClient, now: Date = Date()) -> Outcome {
        guard let segments = r.segments, !segments.contains(where: { $0 == ".." || $0 == "." || $0.contains("/") || $0.contains("\0") }) else {
            return .response(.text("not found", status: 404))
        }
        switch (r.method, segments.first ?? "") {
        case ("GET", "healthz"), ("HEAD", "healthz"):
            return .response(healthy() ? .text("ok\n") : .text("the daemon's main loop does not answer\n", status: 503))
        case ("GET", "metrics"):
            if !settings.metricsOpen, let refused = metricsRefusal(r, client, now) { return .response(refused) }
            guard let text = backend.metricsText() else { return .response(.text("the daemon did not answer in time\n", status: 503)) }
            return .response(.text(text, type: "text/plain; version=0.0.4; charset=utf-8"))
        case ("GET", "static"), ("HEAD", "static"):
            return .response(staticFile(segments.dropFirst().first))
        case ("GET", "login"):
            return .response(loginPage(error: nil, status: 200, keeping: r.cookies[Self.loginCookie]))
        case ("POST", "login"):
            return .response(login(r, client, now))
        default: break
        }

        var setCookie: String?
        guard let session = session(of: r, client, now, setCookie: &setCookie) else {
            // Only a page a person asked for is sent to the login form; a browser's own requests
            // (favicon, images) get a plain 401, or they would replace the login form's token.
            let page = r.method == "GET" && (r.header("accept") ?? "").contains("text/html")
                && !["api", "img", "events"].contains(segments.first ?? "")
            return .response(page ? .redirect("/login") : .problem(401, "log in first"))
        }
        if r.method == "POST" {
            guard csrfOK(r, session) else { return .response(.problem(403, "missing or wrong CSRF token; reload the page")) }
        }
        var outcome = route(r, segments, session)
        if let setCookie, case .response(var resp) = outcome {
            resp.headers.append(("Set-Cookie", setCookie))
            outcome = .response(resp)
        }
        return outcome
    }

    private func route(_ r: HTTPRequest, _ s: [String], _ session: Session) -> Outcome {
        switch (r.method, s.first ?? "", s.count) {
        case ("GET", "", 0):
            guard let rows = backend.batchRows() else { return .response(busy) }
            var paused: Bool?
            if session.role.mayAdminister {
                guard let p = backend.paused() else { return .response(busy) }
                paused = p
            }
            return .response(.html(BatchesPage.render(rows: rows, user: session.user, role: session.role.rawValue, csrf: session.csrf, paused: paused)))
        case ("GET", "batch", 2):
            guard Sanitizer.component(s[1]) == s[1] else { return .response(.text("not found", status: 404)) }
            guard let view = backend.batchView(s[1]) else { return .response(busy) }
            return .response(.html(BatchPage.render(view: view, mayDecide: session.role.mayDecide, user: session.user,
                                                    role: session.role.rawValue, csrf: session.csrf)))
        case ("GET", "events", 1):
            return .events(user: session.user)
        case ("GET", "api", 2) where s[1] == "batches":
            guard let rows = backend.batchRows() else { return .response(busy) }
            return .response(.json(BatchList(batches: rows)))
        case ("GET", "api", 3) where s[1] == "batch":
            guard Sanitizer.component(s[2]) == s[2] else { return .response(.problem(404, "no such batch")) }
            guard let view = backend.batchView(s[2]) else { return .response(busy) }
            return .response(.json(view))
        case ("GET", "img", 3), ("HEAD", "img", 3):
            return .response(image(id: s[1], kind: s[2], query: r.query))
        case ("POST", "logout", 1):
            if let token = r.cookies[Self.sessionCookie] { sessions.end(token: token) }
            var resp = HTTPResponse.redirect("/login")
            resp.headers.append(("Set-Cookie", cookie(Self.sessionCookie, "", maxAge: 0)))
            return .response(resp)
        case ("POST", "api", 2):
            guard session.role.mayDecide else { return .response(.problem(403, "\(session.user) may look but not decide (role \(session.role.rawValue))")) }
            return .response(action(s[1], r.body, session))
        default:
            return .response(.text("not found", status: 404))
        }
    }

    private var busy: HTTPResponse { .problem(503, "the daemon did not answer in time; try again") }

    private struct BatchList: Encodable { let batches: [BatchRow] }

    // MARK: sessions

    private func session(of r: HTTPRequest, _ client: WebClient, _ now: Date, setCookie: inout String?) -> Session? {
        let existing = r.cookies[Self.sessionCookie].flatMap { sessions.lookup(token: $0, now: now) }
        guard let header = settings.proxyUserHeader, !header.isEmpty else { return existing }
        // Behind a reverse proxy that authenticates: its header names the person, and is believed
        // only from the proxy's own address.
        guard client.address == settings.proxyAddress, let user = r.header(header) else { return existing }
        if let existing, existing.user == user { return existing }
        guard let who = authenticator.proxied(user: user) else { return existing }
        let fresh = sessions.create(user: who.user, role: who.role, now: now)
        setCookie = cookie(Self.sessionCookie, fresh.token, maxAge: nil)
        return fresh
    }

    private func csrfOK(_ r: HTTPRequest, _ s: Session) -> Bool {
        let sent = r.header("x-csrf-token") ?? (r.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true ? r.form["csrf"] : nil)
        guard let sent else { return false }
        return SessionStore.csrfMatches(session: s, token: sent)
    }

    func cookie(_ name: String, _ value: String, maxAge: Int?) -> String {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if settings.secureCookies { c += "; Secure" }
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        return c
    }

    // MARK: login

    /// The form with its double-submit token: the browser's own when it has a well-formed one
    /// (two tabs, or a reload, must not void each other's form).
    private func loginPage(error: String?, status: Int, keeping kept: String? = nil) -> HTTPResponse {
        let token = kept.flatMap { $0.count >= 32 && $0.utf8.allSatisfy(Self.isTokenByte) ? $0 : nil } ?? SessionStore.randomToken()
        var resp = HTTPResponse.html(LoginPage.render(error: error, csrf: token), status: status)
        resp.headers.append(("Set-Cookie", cookie(Self.loginCookie, token, maxAge: 3600)))
        return resp
    }

    private func login(_ r: HTTPRequest, _ client: WebClient, _ now: Date) -> HTTPResponse {
        let form = r.form
        // Double submit: the form's token must be the one this browser got with the form.
        guard let sent = form["csrf"], let kept = r.cookies[Self.loginCookie], !kept.isEmpty,
              SessionStore.constantTimeEqual(Array(sent.utf8), Array(kept.utf8)) else {
            return loginPage(error: "the login form expired; try again", status: 403)
        }
        let user = (form["user"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        if case .refused(let wait) = throttle.check(address: client.address, user: user, now: now) {
            var resp = loginPage(error: "too many failed logins; wait \(wait) s and try again", status: 429)
            resp.headers.append(("Retry-After", "\(wait)"))
            return resp
        }
        guard let who = authenticator.authenticate(user: user, password: password) else {
            throttle.recordFailure(address: client.address, user: user, now: now)
            return loginPage(error: "wrong user name or password", status: 401)
        }
        throttle.recordSuccess(user: user)
        let s = sessions.create(user: who.user, role: who.role, now: now)
        var resp = HTTPResponse.redirect("/")
        resp.headers.append(("Set-Cookie", cookie(Self.sessionCookie, s.token, maxAge: nil)))
        resp.headers.append(("Set-Cookie", cookie(Self.loginCookie, "", maxAge: 0)))
        return resp
    }

    /// `/metrics` is read by a scraper, which cannot log in through a form: it sends a web user's
    /// name and password by HTTP Basic (any role), under the same limit on failures as the form.
    /// A browser with a session may read it too. nil: allowed.
    private func metricsRefusal(_ r: HTTPRequest, _ client: WebClient, _ now: Date) -> HTTPResponse? {
        if let token = r.cookies[Self.sessionCookie], sessions.lookup(token: token, now: now) != nil { return nil }
        var ask = HTTPResponse.problem(401, "metrics need a web user's name and password (HTTP Basic), or set [web] metrics = \"open\"")
        ask.headers.append(("WWW-Authenticate", "Basic realm=\"photopipe metrics\", charset=\"UTF-8\""))
        guard let (user, password) = Self.basicCredentials(r.header("authorization")) else { return ask }
        if case .refused(let wait) = throttle.check(address: client.address, user: user, now: now) {
            var resp = HTTPResponse.problem(429, "too many failed logins; wait \(wait) s")
            resp.headers.append(("Retry-After", "\(wait)"))
            return resp
        }
        guard authenticator.authenticate(user: user, password: password) != nil else {
            throttle.recordFailure(address: client.address, user: user, now: now)
            return ask
        }
        throttle.recordSuccess(user: user)
        return nil
    }

    /// `Basic base64(user:password)`; nil when absent or malformed.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.count <= 1024 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
    }

    // MARK: images and static files

    private func image(id: String, kind: String, query: [String: String]) -> HTTPResponse {
        let notFound = HTTPResponse.text("not found", status: 404)
        guard AssetID.isValid(id) else { return notFound }
        let width = min(max(Int(query["w"] ?? "") ?? 1600, 64), 2400)
        let preview: PreviewKind
        switch kind {
        case "thumb": preview = .thumb
        case "master": preview = .master(width: width)
        case "original": preview = .original(width: width)
        case "crop":
            guard let x = Int(query["x"] ?? ""), let y = Int(query["y"] ?? "") else { return .problem(400, "a crop needs x and y (master pixels)") }
            preview = .crop(x: max(0, x), y: max(0, y), size: min(max(Int(query["size"] ?? "") ?? 512, 64), 1024))
        default: return notFound
        }
        guard let dir = backend.assetDir(id) else { return notFound }
        do {
            let path = try backend.preview(id: id, assetDir: dir, kind: preview)
            guard let data = FileManager.default.contents(atPath: path) else { return notFound }
            return HTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg"), ("Cache-Control", "private, max-age=60")], body: Array(data))
        } catch {
            return .problem(404, "\(error)")
        }
    }

    private func staticFile(_ name: String?) -> HTTPResponse {
        switch name {
        case "workbench.js": return .text(StaticScript.source, type: "text/javascript; charset=utf-8")
        case "workbench.css": return .text(StaticStyle.source, type: "text/css; charset=utf-8")
        default: return .text("not found", status: 404)
        }
    }

    // MARK: actions

    private func action(_ name: String, _ body: [UInt8], _ s: Session) -> HTTPResponse {
        let ask: ActionRequest
        do { ask = try JSONDecoder().decode(ActionRequest.self, from: Data(body)) }
        catch { return .problem(400, "the body must be a JSON object") }
        let action: WorkbenchAction
        switch name {
        case "approve-clean":
            guard let b = ask.batch, Sanitizer.component(b) == b else { return .problem(400, "name the batch") }
            action = .approveClean(batch: b)
        case "approve":
            guard let ids = ask.ids ?? ask.id.map({ [$0] }), !ids.isEmpty, ids.count <= 1000, ids.allSatisfy(AssetID.isValid) else {
                return .problem(400, "name asset ids")
            }
            action = .approve(ids: ids)
        case "reject":
            guard let id = ask.id, AssetID.isValid(id) else { return .problem(400, "name the asset id") }
            guard let note = ask.note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else {
                return .problem(400, "say why it is rejected: the note is kept in the manifest")
            }
            if let b = ask.box, b.w <= 0 || b.h <= 0 || b.x < 0 || b.y < 0 { return .problem(400, "the box must have a positive size inside the image") }
            action = .reject(id: id, note: note, box: ask.box)
        case "retry":
            guard let id = ask.id, AssetID.isValid(id) else { return .problem(400, "name the asset id") }
            action = .retry(id: id, overrides: ask.overrides ?? [])
        case "rollback":
            guard let id = ask.id, AssetID.isValid(id) else { return .problem(400, "name the asset id") }
            action = .rollback(id: id)
        case "pause": action = .pause
        case "resume": action = .resume
        case "reload": action = .reload
        default:
            return .problem(404, "no such action")
        }
        if action.changesThePipeline && !s.role.mayAdminister {
            return .problem(403, "only an admin may \(name) the pipeline (\(s.user) is a \(s.role.rawValue))")
        }
        let reply = backend.act(action, person: s.user)
        return .json(reply, status: reply.ok ? 200 : 409)
    }

    private struct ActionRequest: Decodable {
        var batch: String?
        var id: String?
        var ids: [String]?
        var note: String?
        var box: RejectMarkup.Box?
        var overrides: [String]?
    }
}
