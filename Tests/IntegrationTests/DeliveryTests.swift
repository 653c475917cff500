import ControlProtocol
import Delivery
import Foundation
import PipelineCore
import XCTest

/// Deliveries against a real S3 server (SeaweedFS), a folder and a signed webhook, with the
/// real daemon: a batch delivered byte for byte, a wrong secret, the server gone mid-batch,
/// and a restart with deliveries pending.
final class DeliveryTests: XCTestCase {
    var base = ""
    var s3: S3Server!
    var receiver: Process?
    var hookPort = 0
    let hookSecret = "hook-secret-for-tests"

    override func setUpWithError() throws {
        try XCTSkipUnless(S3Server.available, "run scripts/fetch-s3-server.sh first (scripts/test.sh does)")
        base = NSTemporaryDirectory() + "pp-dlv-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        s3 = try S3Server()
    }

    override func tearDown() {
        if let r = receiver { kill(r.processIdentifier, SIGKILL) }   // SIGTERM may be ignored here (see ExternalFixtures)
        receiver?.waitUntilExit()
        s3?.cleanUp()
        try? FileManager.default.removeItem(atPath: base)
    }

    func startReceiver(failFirst: Int = 0) throws {
        (receiver, hookPort) = try WebhookReceiver.start(secret: hookSecret, dir: "\(base)/hooks", failFirst: failFirst)
    }

    func hooks() -> [[String: Any]] {
        (((try? FileManager.default.contentsOfDirectory(atPath: "\(base)/hooks")) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted())
            .compactMap { try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(base)/hooks/\($0)"))) as? [String: Any] }
    }

    func daemon(secret: String? = nil, webhook: Bool = true) throws -> Daemon {
        try "access_key_id = \(s3.accessKey)\nsecret_access_key = \(secret ?? s3.secretKey)\n".write(toFile: "\(base)/s3.cred", atomically: true, encoding: .utf8)
        try "secret = \(hookSecret)\n".write(toFile: "\(base)/hook.cred", atomically: true, encoding: .utf8)
        return try Daemon(config: """
        [export]
        channels = ["default", "shopify"]
        [export.preset.shopify]
        width = 300
        height = 300
        [delivery]
        backoff_seconds = 0.2
        backoff_cap_seconds = 1.0
        max_attempts = 200
        [delivery.target.cdn]
        type = "s3"
        endpoint = "\(s3.endpoint)"
        bucket = "\(s3.bucket)"
        key = "{batch}/{channel}/{file}"
        cache_control = "public, max-age=300"
        public_url = "https://cdn.example.com/shop"
        credentials = "\(base)/s3.cred"
        [delivery.target.nas]
        type = "folder"
        path = "\(base)/nas"
        channels = ["default"]
        \(webhook ? "[delivery.target.shop]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:\(hookPort)/hook\"\ncredentials = \"\(base)/hook.cred\"\n" : "")
        """)
    }

    func deliveries(_ d: Daemon) -> [DeliverySummary] {
        (try? d.request(Request(command: .deliveries)).deliveries) ?? []
    }

    func client() -> S3Client {
        var t = DeliverySettings.Target(name: "check")
        t.kind = .s3; t.endpoint = s3.endpoint; t.bucket = s3.bucket
        var c = Credentials()
        c.accessKey = s3.accessKey; c.secretKey = s3.secretKey
        return S3Client(target: t, credentials: c)
    }

    /// Every exported file is in the bucket byte for byte, with its type, cache-control and sha256.
    func assertBucketHoldsExports(_ d: Daemon, batch: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for channel in ["default", "shopify"] {
            for name in d.exported(channel: channel) {
                let local = try Data(contentsOf: URL(fileURLWithPath: "\(d.root)/export/\(channel)/\(name)"))
                let r = try client().get(key: "\(batch)/\(channel)/\(name)")
                XCTAssertEqual(r.body, local, "\(channel)/\(name)", file: file, line: line)
                XCTAssertEqual(r.headers["content-type"], "image/jpeg", file: file, line: line)
                XCTAssertEqual(r.headers["cache-control"], "public, max-age=300", file: file, line: line)
                XCTAssertEqual(r.headers["x-amz-meta-sha256"], SHA256.hex(local), file: file, line: line)
            }
        }
    }

    func testBatchIsDeliveredToS3AFolderAndASignedWebhook() throws {
        try startReceiver(failFirst: 1)
        let d = try daemon()
        defer { d.cleanUp() }
        try d.start()
        XCTAssertEqual(try d.status().deliveries ?? [:], [:], "asked before any record exists: the counts start from here")
        let src = try Fixtures.shots(count: 3, firstSku: 8101)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/dlv-shoot/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) {
            let all = self.deliveries(d)
            return all.count == 3 * 3 + 1 && all.allSatisfy { $0.status == "delivered" }
        }, "\(deliveries(d).map { "\($0.target) \($0.file) \($0.status) \($0.error ?? "")" })\n\(d.log.suffix(3000))")
        // The status counts are kept in memory from that first answer on and agree with the records.
        XCTAssertEqual(try d.status().deliveries?["delivered"], 9)
        XCTAssertEqual(try d.status().deliveries?["pending"] ?? 0, 0)
        try assertBucketHoldsExports(d, batch: "dlv-shoot")
        for name in d.exported(channel: "default") {
            XCTAssertEqual(Fixtures.sha("\(base)/nas/default/\(name)"), Fixtures.sha("\(d.root)/export/default/\(name)"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(base)/nas/shopify"), "the folder target takes only default")
        let cdn = deliveries(d).filter { $0.target == "cdn" }
        XCTAssertTrue(cdn.allSatisfy { $0.url?.hasPrefix("https://cdn.example.com/shop/dlv-shoot/") ?? false }, "\(cdn.map(\.url))")

        // The webhook: first answer 503, then a signed manifest listing all nine files.
        let got = hooks()
        XCTAssertGreaterThanOrEqual(got.count, 2)
        XCTAssertEqual(got.first?["status"] as? Int, 503)
        let ok = try XCTUnwrap(got.last)
        XCTAssertEqual(ok["valid"] as? Bool, true)
        let manifest = try ManifestStore.decoder().decode(BatchDeliveryManifest.self, from: Data((ok["body"] as! String).utf8))
        XCTAssertEqual(manifest.batch, "dlv-shoot")
        XCTAssertEqual(manifest.files.count, 9)

        // The Shopify CSV carries the delivered public URLs.
        XCTAssertTrue(waitUntil(timeout: 10) {
            ((try? String(contentsOfFile: "\(d.root)/export/shopify/dlv-shoot.shopify.csv", encoding: .utf8)) ?? "")
                .contains("https://cdn.example.com/shop/dlv-shoot/shopify/")
        })

        // Redelivering sends nothing new: the objects are already there with the same bytes.
        XCTAssertEqual(d.pipectl(["redeliver", "dlv-shoot"]).status, 0)
        usleep(1_500_000)
        let events = (try? String(contentsOfFile: "\(d.root)/events.jsonl", encoding: .utf8)) ?? ""
        XCTAssertEqual(events.components(separatedBy: "\"event\":\"delivered\"").count - 1, 9, "each file delivered once")
        XCTAssertEqual(hooks().filter { ($0["status"] as? Int) == 200 }.count, 1, "an unchanged batch is not posted again")
    }

    func testWrongSecretFailsWithAReasonAndLosesNothing() throws {
        let d = try daemon(secret: "not-the-secret", webhook: false)
        defer { d.cleanUp() }
        try d.start()
        let src = try Fixtures.shots(count: 1, firstSku: 8201)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/bad-key/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.deliveries(d).filter { $0.target == "cdn" && $0.status == "failed" }.count == 2 }, d.log)
        let failed = deliveries(d).filter { $0.status == "failed" }
        XCTAssertTrue(failed.allSatisfy { $0.error?.contains("secret key is wrong") ?? false }, "\(failed.map(\.error))")
        XCTAssertEqual(failed.first?.attempts, 1, "a permanent failure is not retried")
        XCTAssertTrue(d.pipectl(["deliveries", "--failed"]).out.contains("SignatureDoesNotMatch"))
        XCTAssertFalse(d.log.contains("not-the-secret") || d.pipectl(["deliveries", "--json"]).out.contains("not-the-secret"), "the secret never shows")
        XCTAssertEqual(d.exported().count, 1, "the export is still there")
        XCTAssertTrue(deliveries(d).filter { $0.target == "nas" }.allSatisfy { $0.status == "delivered" }, "other targets are not blocked")

        try "access_key_id = \(s3.accessKey)\nsecret_access_key = \(s3.secretKey)\n".write(toFile: "\(base)/s3.cred", atomically: true, encoding: .utf8)
        XCTAssertEqual(d.pipectl(["redeliver", "bad-key"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 30) { self.deliveries(d).allSatisfy { $0.status == "delivered" } }, d.log)
        try assertBucketHoldsExports(d, batch: "bad-key")
    }

    func testServerGoneMidBatchAndADaemonRestartLoseNothing() throws {
        let d = try daemon(webhook: false)
        defer { d.cleanUp() }
        try d.start()
        s3.stop()
        let src = try Fixtures.shots(count: 4, firstSku: 8301)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/outage/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90) {
            let cdn = self.deliveries(d).filter { $0.target == "cdn" }
            return cdn.count == 8 && cdn.allSatisfy { $0.status == "pending" && $0.attempts >= 2 }
        }, "\(deliveries(d).map { "\($0.file) \($0.status) \($0.attempts)" })\n\(d.log.suffix(2000))")
        XCTAssertTrue(deliveries(d).first { $0.target == "cdn" }?.error?.contains("could not be reached") ?? false)

        // The daemon restarts while the server is still away; then the server returns.
        XCTAssertEqual(d.stop(), 0)
        try d.start()
        try s3.start()
        XCTAssertTrue(waitUntil(timeout: 60) { self.deliveries(d).count == 12 && self.deliveries(d).allSatisfy { $0.status == "delivered" } },
                      "\(deliveries(d).map { "\($0.file) \($0.status) \($0.error ?? "")" })")
        try assertBucketHoldsExports(d, batch: "outage")
        let events = (try? String(contentsOfFile: "\(d.root)/events.jsonl", encoding: .utf8)) ?? ""
        XCTAssertEqual(events.components(separatedBy: "\"event\":\"delivered\"").count - 1, 12, "each file delivered once")
    }

    func testLargeFilesGoUpInPartsAndTheSameBytesAreNotSentTwice() throws {
        var t = DeliverySettings.Target(name: "big")
        t.kind = .s3; t.endpoint = s3.endpoint; t.bucket = s3.bucket; t.multipartThresholdMB = 5
        t.cacheControl = "no-cache"
        let c = S3Client(target: t, credentials: Credentials(accessKey: s3.accessKey, secretKey: s3.secretKey))
        var bytes = [UInt8](repeating: 0, count: 12 * 1024 * 1024 + 123)
        var state: UInt32 = 7
        for i in bytes.indices { state = state &* 1_664_525 &+ 1_013_904_223; bytes[i] = UInt8(state >> 24) }
        let data = Data(bytes)
        let path = "\(base)/big.png"
        try data.write(to: URL(fileURLWithPath: path))
        let sha = SHA256.hex(data)
        let first = try c.deliver(localPath: path, key: "parts/big.png", sha256: sha)
        XCTAssertFalse(first.alreadyThere)
        let back = try c.get(key: "parts/big.png")
        XCTAssertEqual(back.body.count, data.count)
        XCTAssertTrue(back.body == data, "byte-identical after a 2-part upload")
        XCTAssertEqual(back.headers["x-amz-meta-sha256"], sha)
        XCTAssertEqual(back.headers["content-type"], "image/png")
        XCTAssertTrue(try c.deliver(localPath: path, key: "parts/big.png", sha256: sha).alreadyThere)
    }
}
