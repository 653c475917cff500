import PipelineCore
import XCTest

final class PasswordHashTests: XCTestCase {
    func testAFreshHashIsCostTwelveBcryptWithItsOwnSaltAndVerifies() throws {
        let a = try PasswordHash.make("correct horse")
        let b = try PasswordHash.make("correct horse")
        XCTAssertTrue(a.hasPrefix("$2b$12$"), a)
        XCTAssertEqual(a.count, 60)
        XCTAssertNotEqual(a, b, "a fresh salt each time")
        XCTAssertTrue(PasswordHash.isHash(a))
        XCTAssertTrue(PasswordHash.verify("correct horse", against: a))
        XCTAssertTrue(PasswordHash.verify("correct horse", against: b))
        XCTAssertFalse(PasswordHash.verify("correct horsE", against: a))
        XCTAssertFalse(PasswordHash.verify("", against: a))
    }

    func testHashesFromOtherToolsVerify() {
        // Made by Python's crypt module: bcrypt $2b$ and yescrypt $y$ of "correct horse".
        let bcrypt = "$2b$04$WSgV6EBBNGFgx64Wvz3AxehxMQFTE5ew8XpuSvnYnY.8BVU6KxuDS"
        let yescrypt = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$zwtVrjrUCmXcyLTs6oxLTQlzifSUkF8RHJ./tK5KU79"
        XCTAssertTrue(PasswordHash.verify("correct horse", against: bcrypt))
        XCTAssertTrue(PasswordHash.verify("correct horse", against: yescrypt))
        XCTAssertFalse(PasswordHash.verify("correct hors", against: yescrypt))
        // The same hash with its last character changed no longer matches.
        XCTAssertFalse(PasswordHash.verify("correct horse", against: String(bcrypt.dropLast()) + "T"))
        XCTAssertFalse(PasswordHash.verify("correct horse", against: bcrypt + "x"))
    }

    func testWhatIsNoHashNeverMatches() {
        XCTAssertFalse(PasswordHash.verify("", against: ""))
        XCTAssertFalse(PasswordHash.verify("secret", against: "secret"))
        XCTAssertFalse(PasswordHash.verify("x", against: "*0"))
        XCTAssertFalse(PasswordHash.verify("x", against: "$2b$12$short"))
    }

    func testIsHashKnowsTheAcceptedMethods() {
        for good in ["$2b$12$", "$2y$10$", "$2a$10$", "$7$CU..../....", "$y$j9T$", "$gy$j9T$"] {
            XCTAssertTrue(PasswordHash.isHash(good + String(repeating: "a", count: 40)), good)
        }
        for bad in ["hunter2", "", "$6$saltsalt$" + String(repeating: "a", count: 40), "$1$abc$" + String(repeating: "a", count: 40),
                    "$2b$12$", "$2b$12$" + String(repeating: "a", count: 30) + " " + String(repeating: "a", count: 20)] {
            XCTAssertFalse(PasswordHash.isHash(bad), bad)
        }
    }

    func testAPasswordBcryptWouldCutShortIsRefused() {
        XCTAssertThrowsError(try PasswordHash.make(String(repeating: "p", count: 73)))
        XCTAssertThrowsError(try PasswordHash.make("a\u{0}b"))
    }
}
