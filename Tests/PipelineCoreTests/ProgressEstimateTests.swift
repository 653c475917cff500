import Foundation
import PipelineCore
import XCTest

final class ProgressEstimateTests: XCTestCase {
    func testTheWorkerStepsLeftFromEachQueue() {
        let p = Pipeline.standard
        XCTAssertEqual(ProgressEstimate.workerSteps(after: .inbox, in: p), [.ingest, .retouch, .export])
        XCTAssertEqual(ProgressEstimate.workerSteps(after: .retouched, in: p), [.export], "generate and review run inline")
        XCTAssertEqual(ProgressEstimate.workerSteps(after: .approved, in: p), [.export])
        XCTAssertEqual(ProgressEstimate.workerSteps(after: .export, in: p), [])
        XCTAssertEqual(ProgressEstimate.workerSteps(from: .retouch, in: p), [.retouch, .export])
    }

    func testBatchesAreServedInArrivalOrderSharedAmongTheWorkers() throws {
        var old = ProgressEstimate.Work(batch: "old", firstArrival: Date(timeIntervalSince1970: 10))
        old.total = 10; old.done = 6; old.stepsLeft = [.export: 4]
        var new = ProgressEstimate.Work(batch: "new", firstArrival: Date(timeIntervalSince1970: 20))
        new.total = 5; new.stepsLeft = [.ingest: 5, .retouch: 5, .export: 5]
        var waiting = ProgressEstimate.Work(batch: "waiting", firstArrival: Date(timeIntervalSince1970: 5))
        waiting.total = 3; waiting.done = 1; waiting.waitingForPerson = 2
        let means: [Step: Double] = [.ingest: 0.2, .retouch: 1.0, .export: 0.3]
        let eta = ProgressEstimate.eta([new, waiting, old], meanSeconds: means, workers: 2)
        let oldETA: Double = try XCTUnwrap(eta["old"] ?? nil)
        let newETA: Double = try XCTUnwrap(eta["new"] ?? nil)
        XCTAssertEqual(oldETA, 0.6, accuracy: 1e-9)
        XCTAssertEqual(newETA, 4.35, accuracy: 1e-9, "the newer batch waits for the older one: (4 × 0.3 + 5 × 1.5) / 2")
        XCTAssertNil(eta["waiting"], "a batch waiting only for a person has no machine ETA")
        XCTAssertFalse(waiting.active)
        let unknown = ProgressEstimate.eta([new], meanSeconds: [.export: 0.3], workers: 2)
        XCTAssertEqual(unknown.count, 1)
        XCTAssertNil(unknown["new"] ?? nil, "no ETA before every step it needs has been timed")
    }

    func testWords() {
        XCTAssertEqual(ProgressEstimate.words(34.2), "35s")
        XCTAssertEqual(ProgressEstimate.words(250), "4m 10s")
        XCTAssertEqual(ProgressEstimate.words(3900), "1h 05m")
    }
}
