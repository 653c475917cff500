import Foundation
import PipelineCore
import XCTest

final class NoticePolicyTests: XCTestCase {
    func policy(_ on: [String] = NotifySettings.events) -> NoticePolicy {
        var s = NotifySettings()
        s.mailTo = ["studio@example.com"]
        s.on = on
        s.exceptionsEveryMinutes = 10
        return NoticePolicy(settings: s)
    }

    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func testABatchIsToldOnceWhenItStartsWaitingAndAgainAfterItWasCleared() {
        var p = policy()
        XCTAssertNil(p.batch("b", waitingForPerson: 2, machineWorkLeft: true, now: t0), "not while the machine still works on it")
        let n = p.batch("b", waitingForPerson: 2, machineWorkLeft: false, now: t0)
        XCTAssertEqual(n?.event, "review-waiting")
        XCTAssertEqual(n?.subject, "batch b: 2 images wait for review")
        XCTAssertNil(p.batch("b", waitingForPerson: 2, machineWorkLeft: false, now: t0 + 5), "once")
        XCTAssertNil(p.batch("b", waitingForPerson: 0, machineWorkLeft: false, now: t0 + 10))
        XCTAssertNotNil(p.batch("b", waitingForPerson: 1, machineWorkLeft: false, now: t0 + 20), "a new wait after the batch was cleared")
    }

    func testExceptionsAreGatheredPerBatchAndToldAtMostOnceAnInterval() {
        var p = policy()
        p.exception(batch: "b", id: "a1", reason: "too small")
        p.exception(batch: "b", id: "a2", reason: "cut off")
        let first = p.dueExceptions(now: t0)
        XCTAssertEqual(first.map(\.subject), ["batch b: 2 exceptions"])
        XCTAssertTrue(first[0].text.contains("- a1: too small\n- a2: cut off"), first[0].text)
        p.exception(batch: "b", id: "a3", reason: "blurred")
        XCTAssertEqual(p.dueExceptions(now: t0 + 60), [], "within ten minutes: held back")
        XCTAssertEqual(p.dueExceptions(now: t0 + 601).map(\.subject), ["batch b: 1 exception"])
    }

    func testDeliveryFailuresAreSummedAndTheDiskIsToldOnceUntilItRecovers() {
        var p = policy()
        XCTAssertEqual(p.deliveryFailed("x failed", now: t0)?.subject, "1 delivery failed")
        XCTAssertNil(p.deliveryFailed("y failed", now: t0 + 10))
        XCTAssertNil(p.deliveryFailed("z failed", now: t0 + 20))
        XCTAssertEqual(p.dueDeliveryFailures(now: t0 + 601)?.subject, "2 deliveries failed")
        XCTAssertEqual(p.disk(freePercent: 8, path: "/srv", now: t0)?.event, "disk-low")
        XCTAssertNil(p.disk(freePercent: 7, path: "/srv", now: t0 + 1))
        XCTAssertNil(p.disk(freePercent: 11, path: "/srv", now: t0 + 2), "not yet two points above the mark")
        XCTAssertNil(p.disk(freePercent: 13, path: "/srv", now: t0 + 3))
        XCTAssertNotNil(p.disk(freePercent: 9, path: "/srv", now: t0 + 4), "low again after it recovered")
    }

    func testOnlyTheChosenEventsAreTold() {
        var p = policy(["disk-low"])
        XCTAssertNil(p.batch("b", waitingForPerson: 1, machineWorkLeft: false, now: t0))
        p.exception(batch: "b", id: "a", reason: "r")
        XCTAssertEqual(p.dueExceptions(now: t0), [])
        XCTAssertNil(p.deliveryFailed("x", now: t0))
        XCTAssertNotNil(p.disk(freePercent: 1, path: "/", now: t0))
    }

    func testTheConfigIsCheckedWithAHint() throws {
        func message(_ text: String) -> String { do { _ = try ConfigLoader.parse(text); return "no error" } catch { return "\(error)" } }
        XCTAssertTrue(message("[notify]\non = [\"disk-lo\"]\nmail_to = [\"a@b\"]\n").contains("did you mean 'disk-low'?"))
        XCTAssertTrue(message("[notify]\nwebhook = \"https://x.example/hook\"\n").contains("needs credentials"))
        XCTAssertTrue(message("[notify]\nmail_to = [\"a@b\\nBcc: c@d\"]\n").contains("must hold mail addresses"))
        let c = try ConfigLoader.parse("[notify]\nmail_to = [\"ops@studio.example\"]\n")
        XCTAssertTrue(c.notify.wants("exceptions"))
        XCTAssertFalse(try ConfigLoader.parse("").notify.wants("exceptions"), "nobody to tell: nothing is sent")
    }
}
