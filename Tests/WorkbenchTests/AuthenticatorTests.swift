import Foundation
import PipelineCore
@testable import Workbench
import XCTest

final class AuthenticatorTests: XCTestCase {
    // bcrypt (cost 4, quick) and yescrypt hashes of "correct horse", made with Python's crypt module
    // (which calls the same libxcrypt).
    static let bcrypt = "$2b$04$WSgV6EBBNGFgx64Wvz3AxehxMQFTE5ew8XpuSvnYnY.8BVU6KxuDS"
    static let yescrypt = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$zwtVrjrUCmXcyLTs6oxLTQlzifSUkF8RHJ./tK5KU79"

    func settings() throws -> WebSettings {
        try ConfigLoader.parse("""
            [web]
            proxy_role = "viewer"
            [web.user.alice]
            password = "\(Self.bcrypt)"
            role = "reviewer"
            [web.user.root-admin]
            password = "\(Self.yescrypt)"
            role = "admin"
            """).web
    }

    func testTheRightPasswordGivesTheUsersRole() throws {
        let auth = Authenticator(settings: try settings())
        XCTAssertEqual(auth.authenticate(user: "alice", password: "correct horse"), Identity(user: "alice", role: .reviewer))
        XCTAssertEqual(auth.authenticate(user: "root-admin", password: "correct horse"), Identity(user: "root-admin", role: .admin))
    }

    func testAWrongPasswordOrAnUnknownUserGetsNothing() throws {
        let auth = Authenticator(settings: try settings())
        XCTAssertNil(auth.authenticate(user: "alice", password: "correct horse "))
        XCTAssertNil(auth.authenticate(user: "alice", password: ""))
        XCTAssertNil(auth.authenticate(user: "Alice", password: "correct horse"), "user names are exact")
        XCTAssertNil(auth.authenticate(user: "mallory", password: "correct horse"))
        XCTAssertNil(auth.authenticate(user: "alice", password: "correct horse\u{0}x"))
    }

    func testAnUnknownUserCostsAFullHashCheck() throws {
        XCTAssertTrue(Authenticator.dummyHash.hasPrefix("$2b$12$"), "as costly as what hash-password writes")
        XCTAssertTrue(PasswordHash.isHash(Authenticator.dummyHash))
        var s = try settings()
        s.users["slow"] = WebSettings.User(name: "slow", passwordHash: try PasswordHash.make("right"), role: .viewer)
        let auth = Authenticator(settings: s)
        func seconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let known = seconds { XCTAssertNil(auth.authenticate(user: "slow", password: "wrong")) }
        let unknown = seconds { XCTAssertNil(auth.authenticate(user: "nobody-here", password: "wrong")) }
        print("cost-12 check: known user \(known) s, unknown user \(unknown) s")
        XCTAssertGreaterThan(unknown, known / 3, "an unknown name is refused about as slowly as a wrong password")
        XCTAssertGreaterThan(unknown, 0.02)
    }

    func testAUserWithoutPasswordCannotLogInByForm() throws {
        let web = try ConfigLoader.parse("""
            [web]
            proxy_user_header = "X-Forwarded-User"
            [web.user.carol]
            role = "admin"
            """).web
        let auth = Authenticator(settings: web)
        XCTAssertNil(auth.authenticate(user: "carol", password: ""))
        XCTAssertEqual(auth.proxied(user: "carol"), Identity(user: "carol", role: .admin))
    }

    func testAProxiedUserWithoutATableGetsTheProxyRole() throws {
        let auth = Authenticator(settings: try settings())
        XCTAssertEqual(auth.proxied(user: "dave"), Identity(user: "dave", role: .viewer))
        XCTAssertEqual(auth.proxied(user: "alice"), Identity(user: "alice", role: .reviewer))
        XCTAssertNil(auth.proxied(user: ""))
        XCTAssertNil(auth.proxied(user: "dave\nrole=admin"), "a name that would not be a plain name in logs and manifests")
    }

    func testRolesAreOrdered() {
        XCTAssertLessThan(Role.viewer, Role.reviewer)
        XCTAssertLessThan(Role.reviewer, Role.admin)
        XCTAssertEqual(Role.allCases.map(\.mayDecide), [false, true, true])
        XCTAssertEqual(Role.allCases.map(\.mayAdminister), [false, false, true])
    }
}
