import Foundation
import Workbench
import XCTest

final class LoginThrottleTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func testTheSixthAttemptInFiveMinutesIsRefusedUntilTheOldestFailureLeavesTheWindow() {
        let throttle = LoginThrottle()
        for i in 0..<5 {
            let now = t0.addingTimeInterval(Double(i) * 10)
            XCTAssertEqual(throttle.check(address: "10.0.0.9", user: "alice", now: now), .allowed, "attempt \(i + 1)")
            throttle.recordFailure(address: "10.0.0.9", user: "alice", now: now)
        }
        // Failures at 0, 10, 20, 30, 40 s: the one at 0 s leaves the window at 300 s.
        XCTAssertEqual(throttle.check(address: "10.0.0.9", user: "alice", now: t0.addingTimeInterval(41)), .refused(retryAfter: 259))
        XCTAssertEqual(throttle.check(address: "10.0.0.9", user: "alice", now: t0.addingTimeInterval(299.5)), .refused(retryAfter: 1))
        XCTAssertEqual(throttle.check(address: "10.0.0.9", user: "alice", now: t0.addingTimeInterval(300)), .allowed)
        // One more failure fills the window again: now the failure at 10 s must leave it.
        throttle.recordFailure(address: "10.0.0.9", user: "alice", now: t0.addingTimeInterval(300))
        XCTAssertEqual(throttle.check(address: "10.0.0.9", user: "alice", now: t0.addingTimeInterval(301)), .refused(retryAfter: 9))
    }

    func testOneAddressTryingManyNamesIsStopped() {
        let throttle = LoginThrottle()
        for i in 0..<5 { throttle.recordFailure(address: "203.0.113.5", user: "user\(i)", now: t0) }
        XCTAssertEqual(throttle.check(address: "203.0.113.5", user: "somebody-new", now: t0.addingTimeInterval(1)), .refused(retryAfter: 299))
        XCTAssertEqual(throttle.check(address: "203.0.113.6", user: "somebody-new", now: t0.addingTimeInterval(1)), .allowed,
                       "another address and an untried name")
    }

    func testOneNameTriedFromManyAddressesIsStopped() {
        let throttle = LoginThrottle()
        for i in 0..<5 { throttle.recordFailure(address: "198.51.100.\(i)", user: "alice", now: t0) }
        XCTAssertEqual(throttle.check(address: "198.51.100.77", user: "alice", now: t0), .refused(retryAfter: 300))
        XCTAssertEqual(throttle.check(address: "198.51.100.77", user: "Alice ", now: t0), .refused(retryAfter: 300), "case and spaces do not make a new name")
        XCTAssertEqual(throttle.check(address: "198.51.100.77", user: "bob", now: t0), .allowed)
    }

    func testSuccessClearsTheUsersCountButNotTheAddresss() {
        let throttle = LoginThrottle()
        for _ in 0..<4 { throttle.recordFailure(address: "10.0.0.1", user: "alice", now: t0) }
        throttle.recordSuccess(user: "alice")
        // The user starts afresh; the address still carries its four failures.
        throttle.recordFailure(address: "10.0.0.2", user: "alice", now: t0)
        XCTAssertEqual(throttle.check(address: "10.0.0.2", user: "alice", now: t0), .allowed)
        throttle.recordFailure(address: "10.0.0.1", user: "bob", now: t0)
        XCTAssertEqual(throttle.check(address: "10.0.0.1", user: "carol", now: t0), .refused(retryAfter: 300))
    }

    func testStaleEntriesAreSweptOnceManyAreTracked() {
        let throttle = LoginThrottle(sweepAbove: 100)
        for i in 0..<150 { throttle.recordFailure(address: "a\(i)", user: "u\(i)", now: t0) }
        throttle.recordFailure(address: "late", user: "late", now: t0.addingTimeInterval(301))
        XCTAssertEqual(throttle.tracked.addresses, 1)
        XCTAssertEqual(throttle.tracked.users, 1)
    }
}
