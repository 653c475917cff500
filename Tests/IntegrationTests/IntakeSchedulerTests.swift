import Foundation
import Logging
@testable import PhotopipeDaemon
import PipelineCore
import XCTest

/// The intake and the scheduler are services the supervisor calls; these drive them directly,
/// on a real inbox folder, with a clock the test moves.
final class IntakeSchedulerTests: XCTestCase {
    var root = ""
    var inbox: String { "\(root)/inbox" }
    var claims: String { "\(root)/claims" }
    let clock = ManualClock(Date(timeIntervalSince1970: 2_000_000_000))
    var recorded: [Event] = []

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "intake-\(UUID().uuidString)"
        for d in [inbox, claims] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func makeIntake(settleSeconds: Double = 2) throws -> Intake {
        var config = Config()
        config.settleSeconds = settleSeconds
        config.checkOpenWriters = false
        return Intake(root: inbox, claimRoot: claims, config: config, clock: clock, log: Logger(label: "test"),
                      record: { [unowned self] in self.recorded.append($0) })
    }

    func write(_ rel: String, _ bytes: String = "frame") throws -> String {
        let path = "\(inbox)/\(rel)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testAFileIsClaimedOnlyAfterItHasBeenQuietForTheSettlePeriod() throws {
        let intake = try makeIntake()
        let path = try write("shoot-1/IMG_1.jpg")
        intake.scan()
        XCTAssertEqual(intake.settlingCount, 1)
        intake.settleDue(now: clock.now())
        XCTAssertNil(try intake.claimNext(), "not settled yet")

        clock.advance(by: 3)
        intake.settleDue(now: clock.now())
        XCTAssertEqual(intake.readyCount, 1)
        XCTAssertEqual(intake.waitingPerBatch(), ["shoot-1": 1])
        let claimed = try XCTUnwrap(try intake.claimNext())
        XCTAssertEqual(claimed.item.batch, "shoot-1")
        XCTAssertEqual(claimed.item.name, "IMG_1.jpg")
        XCTAssertEqual(claimed.claim, "\(claims)/shoot-1/IMG_1.jpg")
        XCTAssertFalse(FileOps.exists(path), "claiming moves the file out of the inbox")
        XCTAssertTrue(FileOps.exists(claimed.claim))
        XCTAssertEqual(intake.readyCount + intake.settlingCount, 0)
    }

    func testAFileThatChangesAfterSettlingSettlesAgainInsteadOfBeingClaimed() throws {
        let intake = try makeIntake()
        let path = try write("b/IMG_2.jpg")
        intake.scan()
        clock.advance(by: 3)
        intake.settleDue(now: clock.now())
        XCTAssertEqual(intake.readyCount, 1)
        try Data("a longer frame, still being written".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(try intake.claimNext(), "its size changed since it settled")
        XCTAssertTrue(FileOps.exists(path))
        XCTAssertEqual(intake.settlingCount, 1, "it is timed again")
    }

    func testAParkedFileIsLeftAloneUntilItChanges() throws {
        let intake = try makeIntake()
        _ = try write("b/IMG_3.jpg")
        intake.scan()
        clock.advance(by: 3)
        intake.settleDue(now: clock.now())
        let c = try XCTUnwrap(try intake.claimNext())
        let back = try XCTUnwrap(intake.putBack(c.claim, c.item))
        XCTAssertEqual(back, "\(inbox)/b/IMG_3.jpg")
        intake.park(back)
        intake.scan()
        XCTAssertEqual(intake.settlingCount, 0, "parked: the same file is not tried again")
        try Data("a fresh copy".utf8).write(to: URL(fileURLWithPath: back))
        intake.changed(back)
        XCTAssertEqual(intake.settlingCount, 1, "a changed file is taken again")
    }

    func testFilesThatAreNotImagesAreReportedOnceAndNeverClaimed() throws {
        let intake = try makeIntake()
        _ = try write("b/notes.txt")
        _ = try write("b/IMG_4.jpg.part")
        intake.scan()
        intake.scan()
        clock.advance(by: 3)
        intake.settleDue(now: clock.now())
        XCTAssertNil(try intake.claimNext())
        XCTAssertEqual(recorded.map(\.event), ["ignored-not-image"], "one event for the text file, none for the partial download")
    }

    func testWorkerStagesAreServedLaterFirstAndAnAssetWaitsOnce() {
        var s = Scheduler(pipeline: .standard)
        s.arrived("a", in: .ingested)      // waits for retouch
        s.arrived("b", in: .approved)      // waits for export
        s.enqueue("a", for: .retouch)      // named twice, queued once
        s.arrived("c", in: .retouched)     // generate runs inline
        XCTAssertEqual(s.count, 3)
        XCTAssertTrue(s.hasInlineWork)
        XCTAssertEqual(s.nextForWorkers()?.id, "b", "export before retouch: finished files come out first")
        XCTAssertEqual(s.nextForWorkers()?.id, "a")
        XCTAssertNil(s.nextForWorkers(), "the inline stage's asset is not a worker's")
        XCTAssertEqual(s.next(for: .generate), "c")
        XCTAssertTrue(s.isEmpty)
        s.arrived("d", in: .export)
        XCTAssertTrue(s.isEmpty, "nothing reads the last queue")
    }
}
