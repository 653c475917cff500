import Foundation
import PipelineCore
import XCTest

final class ReconcileTests: XCTestCase {
    var root = ""
    var layout: Layout { Layout(root: root) }

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "pp-reconcile-\(UUID().uuidString)"
        try layout.create()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func makeAsset(_ id: String, at dir: String, original: String = "originals/b/x.jpg") throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let m = Manifest(id: id, batch: "b", sourceName: "x.jpg", original: original, sha256: "ab" + id, bytes: 1,
                         sku: "x", view: nil, skuSource: "file-stem", arrivedAt: Date())
        try ManifestStore.write(m, assetDir: dir)
    }

    func testClaimedFilesAndAssetsGoBackWhereTheyCameFrom() throws {
        try FileManager.default.createDirectory(atPath: "\(layout.work(.ingest))/shoot", withIntermediateDirectories: true)
        try Data("img".utf8).write(to: URL(fileURLWithPath: "\(layout.work(.ingest))/shoot/a.jpg"))
        try makeAsset("r1", at: layout.claimed("r1", by: .retouch))
        try makeAsset("e1", at: layout.claimed("e1", by: .export))
        try makeAsset("v1", at: layout.claimed("v1", by: .review))

        let report = Reconciler(layout: layout).run()

        XCTAssertEqual(report.returnedFiles, 1)
        XCTAssertEqual(report.returnedAssets, 3)
        XCTAssertEqual(try String(contentsOfFile: "\(layout.dir(.inbox))/shoot/a.jpg", encoding: .utf8), "img")
        XCTAssertEqual(layout.assets(in: .ingested), ["r1"])
        XCTAssertEqual(layout.assets(in: .approved), ["e1"])
        XCTAssertEqual(layout.assets(in: .generated), ["v1"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layout.work(.retouch)), [])
    }

    func testHalfMadeIngestIsFinishedOrUndone() throws {
        // Crash after the original moved: finish publishing the asset.
        try FileManager.default.createDirectory(atPath: "\(layout.originals)/b", withIntermediateDirectories: true)
        try Data("orig".utf8).write(to: URL(fileURLWithPath: "\(layout.originals)/b/x.jpg"))
        try makeAsset("done1", at: "\(layout.staging)/done1")
        // Crash before the original moved: the file is still claimed; drop the half-made directory.
        try makeAsset("half1", at: "\(layout.staging)/half1", original: "originals/b/missing.jpg")

        let report = Reconciler(layout: layout).run()

        XCTAssertEqual(report.finishedStaging, 1)
        XCTAssertEqual(report.discardedStaging, 1)
        XCTAssertEqual(layout.assets(in: .ingested), ["done1"])
        XCTAssertEqual(HashIndex(layout: layout).assetID(for: "abdone1"), "done1")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(layout.staging)/half1"))
    }

    func testInFlightClaimsAreLeftAlone() throws {
        let busy = layout.claimed("busy", by: .retouch)
        try makeAsset("busy", at: busy)
        let report = Reconciler(layout: layout).run(inFlight: [busy])
        XCTAssertEqual(report.returnedAssets, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(busy)/manifest.json"))
    }

    func testReconcileTwiceChangesNothingMore() throws {
        try makeAsset("r1", at: layout.claimed("r1", by: .retouch))
        _ = Reconciler(layout: layout).run()
        let second = Reconciler(layout: layout).run()
        XCTAssertEqual(second, Reconciler.Report())
        XCTAssertEqual(layout.locate("r1")?.queue, .ingested)
    }
}

final class LedgerAndReplyTests: XCTestCase {
    func testAttemptLedgerSurvivesAcrossInstances() throws {
        let root = NSTemporaryDirectory() + "pp-ledger-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = Layout(root: root)
        try layout.create()
        XCTAssertEqual(AttemptLedger(layout: layout).increment(batch: "b", name: "x.jpg"), 1)
        XCTAssertEqual(AttemptLedger(layout: layout).increment(batch: "b", name: "x.jpg"), 2)
        XCTAssertEqual(AttemptLedger(layout: layout).count(batch: "b", name: "x.jpg"), 2)
        AttemptLedger(layout: layout).clear(batch: "b", name: "x.jpg")
        XCTAssertEqual(AttemptLedger(layout: layout).count(batch: "b", name: "x.jpg"), 0)
    }

    func testRepliesThatWouldEscapeTheAssetAreRefused() {
        var r = WorkerReply(seq: 1, ok: true)
        r.digest = DigestInfo(sha256: String(repeating: "a", count: 64), bytes: 1)
        r.outputs = [OutputRecord(channel: "default", path: "out/default/x.jpg", bytes: 1, width: 1, height: 1, sha256: "")]
        XCTAssertTrue(r.isWellFormed)
        r.digest = DigestInfo(sha256: "../../x", bytes: 1)
        XCTAssertFalse(r.isWellFormed)
        r.digest = nil
        for bad in ["../../etc/passwd", "out/default/../../x.jpg", "out/other/x.jpg", "/abs/x.jpg", "out/default/.hidden"] {
            r.outputs = [OutputRecord(channel: "default", path: bad, bytes: 1, width: 1, height: 1, sha256: "")]
            XCTAssertFalse(r.isWellFormed, bad)
        }
    }

    func testUnreadableStagingManifestIsQuarantinedNotDeleted() throws {
        let root = NSTemporaryDirectory() + "pp-q-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = Layout(root: root)
        try layout.create()
        try FileManager.default.createDirectory(atPath: "\(layout.staging)/odd", withIntermediateDirectories: true)
        try Data("{not a manifest".utf8).write(to: URL(fileURLWithPath: "\(layout.staging)/odd/manifest.json"))
        let report = Reconciler(layout: layout).run()
        XCTAssertEqual(report.quarantined, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(layout.work)/quarantine/odd/manifest.json"))
    }
}

final class ViewIndexTests: XCTestCase {
    func testViewsFromNamesClashAndUnnamedOnesAreNumberedInArrivalOrder() throws {
        let root = NSTemporaryDirectory() + "pp-views-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = Layout(root: root)
        try layout.create()
        let idx = ViewIndex(layout: layout)
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: 1, id: "a"), .assigned(1))
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: 1, id: "a"), .assigned(1), "claiming again is idempotent")
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: 1, id: "b"), .clash(view: 1, holder: "a"))
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: nil, id: "c"), .assigned(2))
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: nil, id: "d"), .assigned(3))
        XCTAssertEqual(idx.claim(sku: "SKU-2", view: nil, id: "e"), .assigned(1), "numbering is per SKU")
        idx.release(sku: "SKU-1", id: "a")
        XCTAssertEqual(idx.claim(sku: "SKU-1", view: 1, id: "b"), .assigned(1))
    }
}
