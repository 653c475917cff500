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
        XCTAssertEqual(Crypto.sha256Hex(Data()), emptySHA)
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
}
