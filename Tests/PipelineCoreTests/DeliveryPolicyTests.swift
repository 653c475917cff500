import Delivery
import Foundation
import PipelineCore
import XCTest

final class DeliveryPolicyTests: XCTestCase {
    /// AWS's own worked example (S3 API reference, "Signature Calculations for the Authorization
    /// Header: Transferring Payload in a Single Chunk", GET Object with a Range header).
    func testSigV4MatchesAWSWorkedExample() throws {
        let signer = SigV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let date = try XCTUnwrap(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        XCTAssertEqual(SHA256.hex(Data()), emptySHA)
        let h = signer.sign(method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
                            headers: ["range": "bytes=0-9"], payloadSHA256: emptySHA, date: date)
        XCTAssertEqual(h["Authorization"], "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(h["x-amz-date"], "20130524T000000Z")
    }

    func testKeysAreEncodedAsS3Expects() {
        XCTAssertEqual(SigV4.encode("shoot 1/a+b~c.jpg", keepSlash: true), "shoot%201/a%2Bb~c.jpg")
        XCTAssertEqual(SigV4.encode("a/b", keepSlash: false), "a%2Fb")
    }

    func testWebhookSignatureIsHMACOfTheBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        XCTAssertEqual(Webhook.signature(body: Data("what do ya want for nothing?".utf8), secret: "Jefe"),
                       "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testBackoffDoublesWithJitterUpToTheCap() {
        XCTAssertEqual(Backoff.delay(attempt: 1, base: 1, cap: 60, random: 1), 1)
        XCTAssertEqual(Backoff.delay(attempt: 4, base: 1, cap: 60, random: 1), 8)
        XCTAssertEqual(Backoff.delay(attempt: 4, base: 1, cap: 60, random: 0), 4, "jitter keeps at least half")
        XCTAssertEqual(Backoff.delay(attempt: 20, base: 1, cap: 60, random: 1), 60)
    }

    func testAttemptsDeliverRetryOrFail() {
        var item = DeliveryRecord.Item(channel: "c", file: "f.jpg", path: "export/c/f.jpg", sha256: "s", bytes: 1)
        let now = Date()
        item.record(success: false, failure: "refused", permanent: false, maxAttempts: 3, backoff: { Double($0) }, now: now)
        XCTAssertEqual(item.status, .pending)
        XCTAssertEqual(item.notBefore, now.addingTimeInterval(1))
        item.record(success: false, failure: "refused", permanent: false, maxAttempts: 3, backoff: { Double($0) }, now: now)
        item.record(success: false, failure: "refused", permanent: false, maxAttempts: 3, backoff: { Double($0) }, now: now)
        XCTAssertEqual(item.status, .failed)
        XCTAssertEqual(item.error, "gave up after 3 attempts: refused")
        var other = DeliveryRecord.Item(channel: "c", file: "g.jpg", path: "export/c/g.jpg", sha256: "s", bytes: 1)
        other.record(success: false, failure: "bad key", permanent: true, maxAttempts: 3, backoff: { _ in 1 })
        XCTAssertEqual([other.status.rawValue, other.error ?? ""], ["failed", "bad key"], "permanent: at once")
        other.record(success: true, failure: nil, permanent: false, maxAttempts: 3, backoff: { _ in 1 })
        XCTAssertEqual(other.status, .delivered)
        XCTAssertNil(other.error)
    }

    func testDeliveredItemsSurviveAReExportWithTheSameBytes() {
        var m = Manifest(id: "a-1", batch: "b", sourceName: "a.jpg", original: "o", sha256: "x", bytes: 1, sku: "A", view: 1,
                         skuSource: "name", arrivedAt: Date())
        m.outputs = [OutputRecord(channel: "shopify", path: "export/shopify/a-1.jpg", bytes: 5, width: 1, height: 1, sha256: "s1"),
                     OutputRecord(channel: "ebay", path: "export/ebay/a-1.jpg", bytes: 5, width: 1, height: 1, sha256: "s2")]
        var t = DeliverySettings.Target(name: "cdn")
        t.channels = ["shopify"]
        var first = DeliveryRecord.forExport(m, target: t, previous: nil)
        XCTAssertEqual(first.items.map(\.channel), ["shopify"], "the target takes only its channels")
        first.items[0].status = .delivered
        XCTAssertEqual(DeliveryRecord.forExport(m, target: t, previous: first).items[0].status, .delivered)
        m.outputs[0].sha256 = "changed"
        XCTAssertEqual(DeliveryRecord.forExport(m, target: t, previous: first).items[0].status, .pending, "new bytes go again")
    }

    func testTargetsFromConfig() throws {
        let c = try ConfigLoader.parse("""
        [delivery]
        concurrency = 8
        [delivery.target.cdn]
        type = "s3"
        endpoint = "https://s3.eu-central-1.amazonaws.com/"
        region = "eu-central-1"
        bucket = "shop-images"
        path_style = false
        key = "{batch}/{channel}/{file}"
        channels = ["shopify"]
        credentials = "s3-keys"
        [delivery.target.dam]
        type = "folder"
        path = "/mnt/dam/hot"
        """)
        XCTAssertEqual(c.delivery.concurrency, 8)
        let cdn = try XCTUnwrap(c.delivery.targets["cdn"])
        XCTAssertEqual(cdn.kind, .s3)
        XCTAssertEqual(cdn.endpoint, "https://s3.eu-central-1.amazonaws.com")
        XCTAssertFalse(cdn.pathStyle)
        XCTAssertEqual(S3Client.objectURL(cdn, key: "b/shopify/x y.jpg").absoluteString,
                       "https://shop-images.s3.eu-central-1.amazonaws.com/b/shopify/x%20y.jpg")
        XCTAssertEqual(c.delivery.fileTargets.map(\.name), ["cdn", "dam"])
        for (text, words) in [("[delivery.target.x]\ntype = \"s3\"\nbucket = \"b\"\n", "needs endpoint"),
                              ("[delivery.target.x]\ntype = \"ftp\"\n", "must be one of"),
                              ("[delivery.target.x]\ntype = \"s3\"\nendpoint = \"http://h\"\nbucket = \"B\"\n", "bucket name"),
                              ("[delivery.target.x]\nkey = \"{channel}\"\n", "needs {file}"),
                              ("[delivery.target.x]\ntype = \"webhook\"\n", "needs url")] {
            XCTAssertThrowsError(try ConfigLoader.parse(text)) { XCTAssertTrue("\($0)".contains(words), "\($0)") }
        }
    }

    func testKeyTemplateKeepsValuesInsideTheirSegment() throws {
        let k = try KeyTemplate("{batch}/{channel}/{file}")
        XCTAssertEqual(k.render(channel: "shopify", file: "a.jpg", batch: "../../etc", sku: "S"), "etc/shopify/a.jpg")
        XCTAssertEqual(k.render(channel: "shopify", file: "a.jpg", batch: "shoot 1", sku: "S"), "shoot_1/shopify/a.jpg")
    }

    func testCredentialsComeFromAFileOrTheEnvironmentAndNameOnlyWhereTheyLooked() throws {
        var t = DeliverySettings.Target(name: "cdn-eu")
        t.kind = .s3
        let env = ["PHOTOPIPE_CDN_EU_ACCESS_KEY_ID": "AK", "PHOTOPIPE_CDN_EU_SECRET_ACCESS_KEY": "SK"]
        let fromEnv = try Credentials.load(for: t, environment: env)
        XCTAssertEqual([fromEnv.accessKey, fromEnv.secretKey], ["AK", "SK"])
        let dir = NSTemporaryDirectory() + "pp-cred-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "# keys\naccess_key_id = \"AK2\"\nsecret_access_key = SK2\n".write(toFile: "\(dir)/s3", atomically: true, encoding: .utf8)
        t.credentials = "s3"
        let fromFile = try Credentials.load(for: t, environment: ["CREDENTIALS_DIRECTORY": dir])
        XCTAssertEqual([fromFile.accessKey, fromFile.secretKey], ["AK2", "SK2"])
        t.credentials = "missing"
        XCTAssertThrowsError(try Credentials.load(for: t, environment: ["CREDENTIALS_DIRECTORY": dir])) {
            XCTAssertTrue("\($0)".contains("\(dir)/missing"))
        }
    }

    func record(_ asset: String, batch: String = "shoot", target: String, statuses: [DeliveryRecord.Status], error: String? = nil) -> DeliveryRecord {
        let items = statuses.enumerated().map { n, st -> DeliveryRecord.Item in
            var i = DeliveryRecord.Item(channel: "default", file: "\(asset)_\(n).jpg", path: "export/default/\(asset)_\(n).jpg", sha256: "s\(n)", bytes: 10)
            i.status = st
            i.attempts = st == .pending ? 0 : 3
            if st == .delivered { i.url = "https://cdn/\(asset)_\(n).jpg"; i.at = Date() }
            if st == .failed { i.error = error ?? "gave up after 8 attempts: refused"; i.at = Date() }
            return i
        }
        return DeliveryRecord(asset: asset, batch: batch, sku: "SKU", target: target, items: items)
    }

    /// The due record is written atomically under deliveries/.due/, read back as written, listed
    /// with the others, and gone once removed; target listings never see it.
    func testWebhookDueRecordRoundTrips() throws {
        let root = NSTemporaryDirectory() + "pp-due-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = DeliveryStore(layout: Layout(root: root))
        let due = WebhookDue(batch: "shoot 1", due: Date(timeIntervalSince1970: 1_700_000_000.25))
        try store.write(due)
        try store.write(WebhookDue(batch: "b2", due: Date(timeIntervalSince1970: 1_700_000_100)))
        XCTAssertEqual(store.readDue(batch: "shoot 1"), due)
        XCTAssertEqual(store.allDue().map(\.batch).sorted(), ["b2", "shoot 1"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: store.dueDirectory).contains { $0.contains(".tmp") }, "no temporary left")
        try store.write(record("a-1", target: "cdn", statuses: [.delivered]))
        XCTAssertEqual(store.all(targets: ["cdn"]).count, 1)
        store.removeDue(batch: "shoot 1")
        XCTAssertNil(store.readDue(batch: "shoot 1"))
        XCTAssertEqual(store.allDue().map(\.batch), ["b2"])
    }

    /// A multipart upload id recorded in an item survives the record's round trip.
    func testUploadIdIsKeptInTheRecord() throws {
        let root = NSTemporaryDirectory() + "pp-up-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = DeliveryStore(layout: Layout(root: root))
        var r = record("a-1", target: "cdn", statuses: [.pending])
        r.items[0].uploadId = "abc/def=="
        r.items[0].uploadKey = "shoot/default/a-1_0.jpg"
        try store.write(r)
        XCTAssertEqual(store.read(target: "cdn", asset: "a-1"), r)
    }

    /// The batch's state: complete only when nothing is pending and no one is waiting; failures
    /// name target, file and reason; the id is the same for the same state, whatever the order of
    /// the records or when they were written, and differs when the state does.
    func testBatchStateSaysCompleteNamesFailuresAndHasAStableId() throws {
        let delivered = [record("a-1", target: "cdn", statuses: [.delivered, .delivered]), record("a-1", target: "nas", statuses: [.delivered])]
        let withFailure = delivered + [record("a-2", target: "cdn", statuses: [.delivered, .failed], error: "target cdn: access denied")]
        let pending = delivered + [record("a-2", target: "cdn", statuses: [.delivered, .pending])]

        let done = BatchDeliveryManifest.make(batch: "shoot", records: withFailure)
        XCTAssertTrue(done.complete)
        XCTAssertEqual(done.files.count, 4)
        XCTAssertEqual(done.failed, [.init(asset: "a-2", sku: "SKU", target: "cdn", channel: "default", file: "a-2_1.jpg", reason: "target cdn: access denied")])
        XCTAssertEqual(done.delivery.count, 64)

        // Same state, other order, other times and attempt counts: the same id and bytes.
        var again = Array(withFailure.reversed())
        again[0].items[0].at = Date().addingTimeInterval(99)
        again[0].items[0].attempts = 7
        let repeatState = BatchDeliveryManifest.make(batch: "shoot", records: again + [record("z-9", batch: "other", target: "cdn", statuses: [.delivered])])
        XCTAssertEqual(repeatState.delivery, done.delivery)
        XCTAssertEqual(repeatState.encoded(), done.encoded())

        XCTAssertFalse(BatchDeliveryManifest.make(batch: "shoot", records: pending).complete, "a file still pending")
        let waiting = BatchDeliveryManifest.make(batch: "shoot", records: delivered, waiting: 2)
        XCTAssertFalse(waiting.complete, "assets waiting for a person")
        let failedBefore = BatchDeliveryManifest.Failure(asset: "a-3", sku: "S3", target: nil, channel: nil, file: "SKU_03.jpg", reason: "ingest: unreadable")
        let withAssetFailure = BatchDeliveryManifest.make(batch: "shoot", records: delivered, assetFailures: [failedBefore])
        XCTAssertTrue(withAssetFailure.complete)
        XCTAssertEqual(withAssetFailure.failed, [failedBefore])
        let ids = Set([done, waiting, withAssetFailure, BatchDeliveryManifest.make(batch: "shoot", records: delivered),
                       BatchDeliveryManifest.make(batch: "other", records: delivered)].map(\.delivery))
        XCTAssertEqual(ids.count, 5, "each state its own id")

        // The body carries the id, and the id is the hash of the body without it.
        let body = try JSONSerialization.jsonObject(with: done.encoded()) as! [String: Any]
        XCTAssertEqual(body["delivery"] as? String, done.delivery)
        XCTAssertEqual(body["complete"] as? Bool, true)
        var blank = done
        blank.delivery = ""
        XCTAssertEqual(SHA256.hex(blank.encoded()), done.delivery)

        // The webhook record keeps the exact body and id to send again after a crash.
        let w = WebhookRecord.make(target: "shop", manifest: done)
        XCTAssertEqual(w.deliveryId, done.delivery)
        XCTAssertEqual(w.payload.map { Data($0.utf8) }, done.encoded())
        XCTAssertEqual(w.payloadSHA256, SHA256.hex(done.encoded()))
        XCTAssertEqual(w.status, .pending)
    }

    func testMultipartSettingsFromConfig() throws {
        let c = try ConfigLoader.parse("""
        [delivery.target.cdn]
        type = "s3"
        endpoint = "http://127.0.0.1:9000"
        bucket = "b"
        multipart_threshold_mb = 0.05
        multipart_part_mb = 0.02
        """)
        let t = try XCTUnwrap(c.delivery.targets["cdn"])
        XCTAssertEqual(t.multipartThresholdMB, 0.05)
        XCTAssertEqual(S3Client(target: t, credentials: Credentials()).partSize, Int(0.02 * 1024 * 1024))
        XCTAssertEqual(DeliverySettings.Target(name: "x").multipartPartMB, 8)
    }
}
