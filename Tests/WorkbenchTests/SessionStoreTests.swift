import Foundation
import PipelineCore
@testable import Workbench
import XCTest

final class SessionStoreTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func testTokensAre32RandomBytesInBase64url() {
        let tokens = (0..<200).map { _ in SessionStore.randomToken() }
        XCTAssertEqual(Set(tokens).count, 200)
        for t in tokens {
            XCTAssertEqual(t.count, 43, "32 bytes in base64 without padding")
            XCTAssertTrue(t.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }, t)
        }
    }

    func testASessionIsFoundByItsTokenWithItsOwnCsrfToken() {
        let store = SessionStore(idle: 3600)
        let s = store.create(user: "alice", role: .reviewer, now: t0)
        XCTAssertNotEqual(s.token, s.csrf)
        XCTAssertEqual(s.created, t0)
        let found = store.lookup(token: s.token, now: t0.addingTimeInterval(5))
        XCTAssertEqual(found?.user, "alice")
        XCTAssertEqual(found?.role, .reviewer)
        XCTAssertEqual(found?.csrf, s.csrf)
        XCTAssertEqual(found?.lastSeen, t0.addingTimeInterval(5))
        XCTAssertNil(store.lookup(token: s.csrf, now: t0), "the CSRF token is no session token")
        XCTAssertNil(store.lookup(token: "", now: t0))
    }

    func testASessionEndsAfterIdleTimeButEachRequestRestartsTheClock() {
        let store = SessionStore(idle: 3600)
        let s = store.create(user: "alice", role: .viewer, now: t0)
        XCTAssertNotNil(store.lookup(token: s.token, now: t0.addingTimeInterval(3000)))
        XCTAssertNotNil(store.lookup(token: s.token, now: t0.addingTimeInterval(6000)), "seen at 3000 s, so live until 6600 s")
        XCTAssertNil(store.lookup(token: s.token, now: t0.addingTimeInterval(6000 + 3600)))
        XCTAssertNil(store.lookup(token: s.token, now: t0.addingTimeInterval(6000)), "an expired session is gone for good")
    }

    func testSessionHoursComeFromTheConfig() throws {
        let config = try ConfigLoader.parse("[web]\nsession_hours = 2\n")
        let store = SessionStore(settings: config.web)
        XCTAssertEqual(store.idle, 7200)
        let s = store.create(user: "bob", role: .admin, now: t0)
        XCTAssertNotNil(store.lookup(token: s.token, now: t0.addingTimeInterval(7199)))
        XCTAssertNil(store.lookup(token: s.token, now: t0.addingTimeInterval(7199 + 7200)))
    }

    func testEndLogsOut() {
        let store = SessionStore(idle: 3600)
        let a = store.create(user: "alice", role: .viewer, now: t0)
        let b = store.create(user: "bob", role: .viewer, now: t0)
        store.end(token: a.token)
        XCTAssertNil(store.lookup(token: a.token, now: t0))
        XCTAssertNotNil(store.lookup(token: b.token, now: t0))
        store.end(user: "bob")
        XCTAssertNil(store.lookup(token: b.token, now: t0))
        XCTAssertEqual(store.count(now: t0), 0)
    }

    func testAUserHoldsAtMostNSessionsAndTheOldestGoesFirst() {
        let store = SessionStore(idle: 3600, maxPerUser: 3)
        let made = (0..<5).map { store.create(user: "alice", role: .viewer, now: t0.addingTimeInterval(Double($0))) }
        let other = store.create(user: "bob", role: .viewer, now: t0)
        let now = t0.addingTimeInterval(10)
        XCTAssertNil(store.lookup(token: made[0].token, now: now))
        XCTAssertNil(store.lookup(token: made[1].token, now: now))
        for s in made[2...] { XCTAssertNotNil(store.lookup(token: s.token, now: now)) }
        XCTAssertNotNil(store.lookup(token: other.token, now: now), "another user's sessions are not touched")
        XCTAssertEqual(store.count(now: now), 4)
    }

    func testCsrfMatchesOnlyTheSessionsOwnToken() {
        let store = SessionStore(idle: 3600)
        let s = store.create(user: "alice", role: .reviewer, now: t0)
        XCTAssertTrue(SessionStore.csrfMatches(session: s, token: s.csrf))
        XCTAssertFalse(SessionStore.csrfMatches(session: s, token: ""))
        XCTAssertFalse(SessionStore.csrfMatches(session: s, token: String(s.csrf.dropLast())))
        XCTAssertFalse(SessionStore.csrfMatches(session: s, token: s.csrf + "x"))
        XCTAssertFalse(SessionStore.csrfMatches(session: s, token: s.token))
        var flipped = Array(s.csrf.utf8)
        flipped[0] = flipped[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertFalse(SessionStore.csrfMatches(session: s, token: String(decoding: flipped, as: UTF8.self)))
    }

    func testManyThreadsCreateAndLookUpAtOnce() {
        final class Found: @unchecked Sendable {
            let lock = NSLock()
            var tokens: [String] = []
            var missing = 0
        }
        let store = SessionStore(idle: 3600, maxPerUser: 1000)
        let found = Found()
        let t0 = self.t0
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            let s = store.create(user: "u\(i % 4)", role: .viewer, now: t0)
            let back = store.lookup(token: s.token, now: t0)
            found.lock.lock()
            found.tokens.append(s.token)
            if back?.user != s.user { found.missing += 1 }
            found.lock.unlock()
        }
        XCTAssertEqual(found.missing, 0)
        XCTAssertEqual(Set(found.tokens).count, 400)
        XCTAssertEqual(store.count(now: t0), 400)
    }
}
