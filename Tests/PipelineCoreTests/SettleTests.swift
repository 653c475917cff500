import PipelineCore
import XCTest

final class SettleTests: XCTestCase {
    let a = SettleTracker.Snapshot(size: 100, mtimeNanos: 1)
    let b = SettleTracker.Snapshot(size: 200, mtimeNanos: 2)

    func testQuietFileSettlesAfterThePeriod() {
        var t = SettleTracker(quiet: 1.0)
        t.observe("f", a, now: 10)
        XCTAssertEqual(t.due(now: 10.5), [])
        XCTAssertEqual(t.due(now: 11.0), ["f"])
        XCTAssertEqual(t.decide("f", current: a, writer: .closed, now: 11.0), .settled)
    }

    func testGrowingFileRestartsTheQuietPeriod() {
        var t = SettleTracker(quiet: 1.0)
        t.observe("f", a, now: 10)
        XCTAssertEqual(t.decide("f", current: b, writer: .closed, now: 11.2), .wait)
        XCTAssertEqual(t.due(now: 12.0), [])
        XCTAssertEqual(t.due(now: 12.2), ["f"])
        XCTAssertEqual(t.decide("f", current: b, writer: .closed, now: 12.2), .settled)
    }

    func testOpenWriterHoldsTheFileEvenWhenQuiet() {
        // gphoto2 renames its file into place before closing it; a slow sync pauses between bursts.
        var t = SettleTracker(quiet: 1.0)
        t.observe("f", a, now: 0)
        XCTAssertEqual(t.decide("f", current: a, writer: .open, now: 5), .wait)
        XCTAssertEqual(t.due(now: 5.5), [])
        XCTAssertEqual(t.decide("f", current: a, writer: .closed, now: 6), .settled)
    }

    func testUnknownWriterStateFallsBackToQuietOnly() {
        var t = SettleTracker(quiet: 1.0)
        t.observe("f", a, now: 0)
        XCTAssertEqual(t.decide("f", current: a, writer: .unknown, now: 1), .settled)
    }

    func testEventsRestartTheQuietPeriodAndVanishedFilesAreForgotten() {
        var t = SettleTracker(quiet: 1.0)
        t.observe("f", a, now: 0)
        t.touch("f", now: 0.9)
        XCTAssertEqual(t.due(now: 1.5), [])
        XCTAssertEqual(t.secondsUntilNextDue(now: 1.5)!, 0.4, accuracy: 1e-9)
        XCTAssertEqual(t.decide("f", current: nil, writer: .unknown, now: 2), .wait)
        XCTAssertEqual(t.count, 0)
    }
}
