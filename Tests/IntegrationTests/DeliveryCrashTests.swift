import ControlProtocol
import Delivery
import Foundation
import PipelineCore
import XCTest

/// Delivery keeps its promises across crashes: the real daemon, a real S3 server (SeaweedFS), a
/// folder and the signed webhook receiver, with the daemon killed (SIGKILL) again and again while
/// two batches are delivered, multipart uploads included.
final class DeliveryCrashTests: XCTestCase {
    var base = ""
    var s3: S3Server!
    var receiver: Process?
    var hookPort = 0
    let hookSecret = "hook-secret-for-the-soak"

    override func setUpWithError() throws {
        try XCTSkipUnless(S3Server.available, "run scripts/fetch-s3-server.sh first (scripts/test.sh does)")
        base = NSTemporaryDirectory() + "pp-soak-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        s3 = try S3Server()
        (receiver, hookPort) = try WebhookReceiver.start(secret: hookSecret, dir: "\(base)/hooks")
    }

    override func tearDown() {
        if let r = receiver { kill(r.processIdentifier, SIGKILL) }   // SIGTERM may be ignored here (see ExternalFixtures)
        receiver?.waitUntilExit()
        s3?.cleanUp()
        try? FileManager.default.removeItem(atPath: base)
    }

    var client: S3Client {
        var t = DeliverySettings.Target(name: "check")
        t.kind = .s3; t.endpoint = s3.endpoint; t.bucket = s3.bucket
        return S3Client(target: t, credentials: Credentials(accessKey: s3.accessKey, secretKey: s3.secretKey))
    }

    /// Every post the receiver got: (status, headers lower-cased, body).
    func posts() -> [(status: Int, headers: [String: String], body: [String: Any])] {
        let dir = "\(base)/hooks"
        return (((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted())
            .compactMap { name in
                guard let o = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))) as? [String: Any],
                      let text = o["body"] as? String,
                      let body = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
                var h: [String: String] = [:]
                for (k, v) in (o["headers"] as? [String: Any]) ?? [:] { h[k.lowercased()] = "\(v)" }
                if o["valid"] as? Bool != true { h["invalid-signature"] = "1" }
                return ((o["status"] as? Int) ?? 0, h, body)
            }
    }

    func completePosts(_ batch: String) -> [[String: Any]] {
        posts().filter { $0.status == 200 && ($0.body["batch"] as? String) == batch && ($0.body["complete"] as? Bool) == true }.map(\.body)
    }

    func testKilledAgainAndAgainDeliversEveryFileOncePostsEachBatchOnceAndLeavesNoUploadOpen() throws {
        let started = Date()
        try "access_key_id = \(s3.accessKey)\nsecret_access_key = \(s3.secretKey)\n".write(toFile: "\(base)/s3.cred", atomically: true, encoding: .utf8)
        try "secret = \(hookSecret)\n".write(toFile: "\(base)/hook.cred", atomically: true, encoding: .utf8)
        // Every file above 20 KB (all of the default channel) goes up as a multipart upload. SeaweedFS,
        // like AWS, refuses parts under 5 MB but the last (EntityTooSmall), so each is one 5 MB part:
        // CreateMultipartUpload, record the id, UploadPart, CompleteMultipartUpload.
        let d = try Daemon(config: """
        [export]
        channels = ["default", "shopify"]
        [export.preset.shopify]
        width = 300
        height = 300
        [delivery]
        backoff_seconds = 0.1
        backoff_cap_seconds = 0.5
        max_attempts = 1000
        [delivery.target.cdn]
        type = "s3"
        endpoint = "\(s3.endpoint)"
        bucket = "\(s3.bucket)"
        key = "{batch}/{channel}/{file}"
        multipart_threshold_mb = 0.02
        multipart_part_mb = 5
        credentials = "\(base)/s3.cred"
        [delivery.target.nas]
        type = "folder"
        path = "\(base)/nas"
        channels = ["default"]
        [delivery.target.shop]
        type = "webhook"
        url = "http://127.0.0.1:\(hookPort)/hook"
        credentials = "\(base)/hook.cred"
        """)
        defer { d.cleanUp() }
        try d.start()
        let batches = ["soak-a": try Fixtures.shots(count: 12, firstSku: 9101), "soak-b": try Fixtures.shots(count: 12, firstSku: 9201)]
        let events = "\(d.root)/events.jsonl"
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(batches["soak-a"]!)/", "\(d.inbox)/soak-a/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").contains("\"event\":\"delivered\"") },
                      "nothing delivered\n\(d.log.suffix(3000))")
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(batches["soak-b"]!)/", "\(d.inbox)/soak-b/"]).status, 0)

        // Killed ten times while the batches are exported and delivered, started again each time: at
        // random moments, right after a multipart upload id is recorded (parts not yet complete), and
        // while a batch's post is due but not yet sent (the quiet period).
        let cdnRecords = "\(d.root)/deliveries/cdn", due = "\(d.root)/deliveries/.due"
        func uploadRecorded() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: cdnRecords)) ?? []).contains { name in
                name.hasSuffix(".json") && ((try? String(contentsOfFile: "\(cdnRecords)/\(name)", encoding: .utf8)) ?? "").contains("uploadId")
            }
        }
        func postDue() -> Bool { !(((try? FileManager.default.contentsOfDirectory(atPath: due)) ?? []).filter { $0.hasSuffix(".json") }.isEmpty) }
        var kills = 0, openAfterKills = 0, midUpload = 0, whileDue = 0
        for round in 0..<10 {
            switch round % 3 {
            case 1: if waitUntil(timeout: 3, poll: 0.002, uploadRecorded) { midUpload += 1 }
            case 2: if waitUntil(timeout: 3, poll: 0.01, postDue) { whileDue += 1 }
            default: usleep(UInt32.random(in: 300_000...1_500_000))
            }
            d.kill9()
            kills += 1
            openAfterKills += (try? client.multipartUploads().count) ?? 0
            try d.start()
        }
        let killedFor = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(whileDue, 0, "a kill landed while a post was due")

        // Then everything arrives: every asset exported, every file delivered, each batch posted complete.
        let expectedAssets = 24
        XCTAssertTrue(waitUntil(timeout: 60, poll: 0.2) {
            let all = (try? d.request(Request(command: .deliveries)).deliveries) ?? []
            return d.assets(in: .export).count == expectedAssets && all.filter { $0.asset != "-" }.count == expectedAssets * 3
                && all.allSatisfy { $0.status == "delivered" } && batches.keys.allSatisfy { !self.completePosts($0).isEmpty }
        }, "\(d.assets(in: .export).count) exported\n\(((try? d.request(Request(command: .deliveries)).deliveries) ?? []).filter { $0.status != "delivered" }.map { "\($0.target) \($0.file) \($0.status) \($0.error ?? "")" })\n\(d.log.suffix(4000))")
        sleep(3)   // longer than the quiet period: a late extra post would show

        // S3: exactly the expected keys, each with the export's bytes.
        var expected: [String: String] = [:]   // key → sha256
        var folderFiles: [String: String] = [:]
        for id in d.assets(in: .export) {
            let m = try d.manifest(id, in: .export)
            for o in m.outputs {
                let file = (o.path as NSString).lastPathComponent
                XCTAssertEqual(Fixtures.sha("\(d.root)/\(o.path)"), o.sha256)
                expected["\(m.batch)/\(o.channel)/\(file)"] = o.sha256
                if o.channel == "default" { folderFiles[file] = o.sha256 }
            }
        }
        XCTAssertEqual(expected.count, expectedAssets * 2)
        let objects = try client.objects()
        XCTAssertEqual(objects.map(\.key).sorted(), expected.keys.sorted(), "every expected object, no other, each once")
        for (key, sha) in expected {
            guard let r = try? client.get(key: key) else { XCTFail("\(key) missing"); continue }
            XCTAssertEqual(SHA256.hex(r.body), sha, key)
            XCTAssertEqual(r.headers["x-amz-meta-sha256"], sha, key)
        }
        let multipart = objects.filter { $0.etag.contains("-") }.count
        XCTAssertGreaterThan(multipart, 0, "some objects went up in parts: \(objects.map(\.etag).prefix(4))")
        XCTAssertEqual(try client.multipartUploads().map(\.key), [], "no multipart upload left unfinished")
        let records = ((try? FileManager.default.contentsOfDirectory(atPath: "\(d.root)/deliveries/cdn")) ?? []).filter { $0.hasSuffix(".json") }
        for name in records {
            let text = try String(contentsOfFile: "\(d.root)/deliveries/cdn/\(name)", encoding: .utf8)
            XCTAssertFalse(text.contains("uploadId"), "\(name) still records an upload")
        }

        // The folder target: every default file, byte for byte.
        for (file, sha) in folderFiles { XCTAssertEqual(Fixtures.sha("\(base)/nas/default/\(file)"), sha, file) }

        // The webhook: per batch, one complete state (repeats after a crash carry the same id), signed,
        // the id in the header and the body, every file listed, nothing failed.
        let all = posts()
        XCTAssertTrue(all.allSatisfy { $0.headers["invalid-signature"] == nil }, "every post signed")
        for batch in batches.keys {
            let complete = all.filter { $0.status == 200 && ($0.body["batch"] as? String) == batch && ($0.body["complete"] as? Bool) == true }
            let ids = Set(complete.map { $0.body["delivery"] as? String ?? "" })
            XCTAssertEqual(ids.count, 1, "\(batch): one complete state, got \(ids)")
            for p in complete {
                XCTAssertEqual(p.headers["x-photopipe-delivery"], p.body["delivery"] as? String)
                XCTAssertEqual((p.body["files"] as? [Any])?.count, 12 * 3, "\(batch): 12 assets × (2 S3 + 1 folder)")
                XCTAssertEqual((p.body["failed"] as? [Any])?.count, 0)
                XCTAssertEqual(p.body["event"] as? String, "batch.delivered")
            }
        }

        // A kill between CreateMultipartUpload and CompleteMultipartUpload, made certain: with the
        // daemon stopped, one item records an upload started on the server, and another item's key
        // has an upload that no record names (killed before the id was written). At start both are
        // aborted, the files are found already there, and the batch's state (and post) is unchanged.
        XCTAssertEqual(d.stop(), 0)
        let names = records.filter { !$0.hasPrefix(".") }.sorted()
        var planted: [String] = []
        for (n, name) in names.prefix(2).enumerated() {
            let path = "\(cdnRecords)/\(name)"
            var r = try ManifestStore.decoder().decode(DeliveryRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            let i = try XCTUnwrap(r.items.firstIndex { $0.channel == "default" })
            let key = "\(r.batch)/default/\(r.items[i].file)"
            let id = try client.startMultipart(key: key, sha256: r.items[i].sha256)
            planted.append(key)
            r.items[i].status = .pending
            r.items[i].attempts = 0
            if n == 0 { r.items[i].uploadId = id; r.items[i].uploadKey = key }
            try AtomicFile.write(try ManifestStore.encoder().encode(r), to: path)
        }
        XCTAssertEqual(try client.multipartUploads().map(\.key).sorted(), planted.sorted())
        try d.start()
        XCTAssertTrue(waitUntil(timeout: 20, poll: 0.1) {
            ((try? self.client.multipartUploads()).map(\.isEmpty) ?? false)
                && ((try? d.request(Request(command: .deliveries)).deliveries) ?? []).allSatisfy { $0.status == "delivered" }
        }, "uploads left: \((try? client.multipartUploads()) ?? [])\n\(d.log.suffix(2000))")
        XCTAssertEqual(try client.objects().map(\.key).sorted(), expected.keys.sorted())
        for key in planted { XCTAssertEqual(SHA256.hex(try client.get(key: key).body), expected[key]) }
        sleep(3)
        for batch in batches.keys {
            XCTAssertEqual(Set(completePosts(batch).map { $0["delivery"] as? String ?? "" }).count, 1, "\(batch): the same state, no new post")
        }
        let final = posts()

        let mine = final.filter { $0.status == 200 }
        let summary = "SOAK: \(kills) kills in \(Int(killedFor)) s (\(midUpload) with an upload id recorded, \(whileDue) with a post due), "
            + "\(openAfterKills) multipart uploads seen open right after the kills, "
            + "\(objects.count) objects (\(multipart) multipart), \(folderFiles.count) folder files, \(final.count) posts "
            + "(\(mine.filter { ($0.body["complete"] as? Bool) == true }.count) complete, \(mine.filter { ($0.body["complete"] as? Bool) != true }.count) partial), "
            + "\(Int(Date().timeIntervalSince(started))) s in all"
        print(summary)
        try summary.write(toFile: NSTemporaryDirectory() + "pp-soak-summary.txt", atomically: true, encoding: .utf8)
    }
}
