import PipelineCore
import XCTest

final class WebSettingsTests: XCTestCase {
    static let hash = "$2b$04$WSgV6EBBNGFgx64Wvz3AxehxMQFTE5ew8XpuSvnYnY.8BVU6KxuDS"

    func message(_ text: String) -> String {
        do { _ = try ConfigLoader.parse(text); return "no error" } catch { return "\(error)" }
    }

    func testDefaults() throws {
        let c = try ConfigLoader.parse("")
        XCTAssertEqual(c.web.listen, WebSettings.Listen(host: "127.0.0.1", port: 8088))
        XCTAssertTrue(c.web.secureCookies)
        XCTAssertEqual(c.web.sessionHours, 12)
        XCTAssertNil(c.web.proxyUserHeader)
        XCTAssertEqual(c.web.proxyAddress, "127.0.0.1")
        XCTAssertEqual(c.web.proxyRole, .reviewer)
        XCTAssertTrue(c.web.users.isEmpty)
        XCTAssertEqual(c.reviewGroup, "photopipe-review")
        XCTAssertFalse(c.web.metricsOpen, "/metrics asks for a password unless told otherwise")
        XCTAssertNil(c.web.publicURL)
    }

    func testMetricsAccessAndThePublicAddress() throws {
        let c = try ConfigLoader.parse("[web]\nmetrics = \"open\"\npublic_url = \"https://review.studio.example\"\n")
        XCTAssertTrue(c.web.metricsOpen)
        XCTAssertEqual(c.web.publicURL, "https://review.studio.example")
        XCTAssertTrue(message("[web]\nmetrics = \"public\"\n").contains("must be \"login\""), message("[web]\nmetrics = \"public\"\n"))
        XCTAssertTrue(message("[web]\npublic_url = \"review.studio.example\"\n").contains("the address people open"))
    }

    func testEveryKeyIsRead() throws {
        let c = try ConfigLoader.parse("""
            [web]
            listen = "[::1]:9090"
            secure_cookies = false
            session_hours = 8
            proxy_user_header = "X-Forwarded-User"
            proxy_address = "10.1.2.3"
            proxy_role = "viewer"
            [web.user.alice]
            password = "\(Self.hash)"
            role = "reviewer"
            [web.user.bob]
            password = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$zwtVrjrUCmXcyLTs6oxLTQlzifSUkF8RHJ./tK5KU79"
            role = "admin"
            [review]
            group = "studio-leads"
            """)
        XCTAssertEqual(c.web.listen, WebSettings.Listen(host: "::1", port: 9090))
        XCTAssertFalse(c.web.secureCookies)
        XCTAssertEqual(c.web.sessionHours, 8)
        XCTAssertEqual(c.web.proxyUserHeader, "X-Forwarded-User")
        XCTAssertEqual(c.web.proxyAddress, "10.1.2.3")
        XCTAssertEqual(c.web.proxyRole, .viewer)
        XCTAssertEqual(c.web.users["alice"], WebSettings.User(name: "alice", passwordHash: Self.hash, role: .reviewer))
        XCTAssertEqual(c.web.users["bob"]?.role, .admin)
        XCTAssertEqual(c.reviewGroup, "studio-leads")
        XCTAssertNil(try ConfigLoader.parse("[web]\nlisten = \"off\"\n").web.listen)
        XCTAssertEqual(try ConfigLoader.parse("[web]\nlisten = \"workbench.local:80\"\n").web.listen, WebSettings.Listen(host: "workbench.local", port: 80))
        XCTAssertNil(try ConfigLoader.parse("[web]\nproxy_user_header = \"\"\n").web.proxyUserHeader, "empty: no proxy")
        XCTAssertEqual(try ConfigLoader.parse("[web.user.carol]\npassword = \"\(Self.hash)\"\n").web.users["carol"]?.role, .viewer,
                       "a user without a role may only look")
    }

    func testAPlainPasswordIsRefusedWithoutBeingRepeated() {
        let m = message("[web.user.alice]\npassword = \"hunter2-secret\"\nrole = \"reviewer\"\n")
        XCTAssertTrue(m.contains("line 2") && m.contains("web.user.alice.password"), m)
        XCTAssertTrue(m.contains("looks like a plain password; store the output of `photopiped hash-password`"), m)
        XCTAssertFalse(m.contains("hunter2"), "the error never shows the password: \(m)")
        let sha512crypt = message("[web.user.alice]\npassword = \"$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/\"\n")
        XCTAssertTrue(sha512crypt.contains("not a hash photopipe accepts"), sha512crypt)
    }

    func testUnknownRolesBadAddressesAndAHalfSetProxyAreRefused() {
        let role = message("[web.user.alice]\npassword = \"\(Self.hash)\"\nrole = \"boss\"\n")
        XCTAssertTrue(role.contains("line 3") && role.contains("must be one of viewer, reviewer, admin, not 'boss'"), role)
        XCTAssertTrue(message("[web]\nproxy_role = \"root\"\n").contains("must be one of viewer, reviewer, admin"))
        for bad in ["8088", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":8088", "::1:8088", "[nonsense]:80", "a b:80", "on"] {
            let m = message("[web]\nlisten = \"\(bad)\"\n")
            XCTAssertTrue(m.contains("must be host:port (e.g. 127.0.0.1:8088) or \"off\""), "\(bad): \(m)")
        }
        let proxy = message("[web]\nproxy_user_header = \"X-Forwarded-User\"\nproxy_address = \"\"\n")
        XCTAssertTrue(proxy.contains("proxy_user_header is set without proxy_address"), proxy)
        XCTAssertTrue(message("[web]\nproxy_address = \"proxy.local\"\n").contains("must be an IP address"))
        XCTAssertTrue(message("[web]\nproxy_user_header = \"X Forwarded\"\n").contains("must be an HTTP header name"))
        let noPassword = message("[web.user.alice]\nrole = \"admin\"\n")
        XCTAssertTrue(noPassword.contains("[web.user.alice]: a user needs password"), noPassword)
        XCTAssertTrue(message("[web.user.\"al ice\"]\nrole = \"admin\"\n").contains("not a plain name"))
        XCTAssertTrue(message("[web.user.alice]\npasswd = \"x\"\n").contains("did you mean 'web.user.alice.password'?"), message("[web.user.alice]\npasswd = \"x\"\n"))
        XCTAssertTrue(message("[review]\ngroup = \"\"\n").contains("must be a group name"))
    }
}
