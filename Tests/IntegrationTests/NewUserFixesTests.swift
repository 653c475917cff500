import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// Defects a new user met (issue 17), each on the real binaries: pipectl's options before the
/// verb (as the systemd unit writes them), reload of a daemon started with --root/--socket, a
/// catalogue that is missing or broken, failed webhooks in `status`, and misspellings answered.
final class NewUserFixesTests: XCTestCase {
    func testTheUnitsReloadLineWorksAndPipectlSuggestsAVerbAndKnowsItsVersion() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        try d.start()
        let unit = try String(contentsOfFile: Self.repo + "/systemd/photopiped.service", encoding: .utf8)
        let line = try XCTUnwrap(unit.split(separator: "\n").first { $0.hasPrefix("ExecReload=") })
        var words = line.dropFirst("ExecReload=".count).split(separator: " ").map(String.init)
        XCTAssertEqual(words.first, "/usr/local/bin/pipectl")
        words[0] = Daemon.pipectl
        if let i = words.firstIndex(of: "--socket") { words[i + 1] = d.socket }
        let reload = shell(words[0], Array(words.dropFirst()))
        XCTAssertEqual(reload.status, 0, "\(words): \(reload.err)")
        XCTAssertTrue(reload.out.contains("configuration reloaded"), reload.out)

        XCTAssertEqual(shell(Daemon.pipectl, ["--socket=\(d.socket)", "--json", "status"]).status, 0)
        let typo = shell(Daemon.pipectl, ["stauts", "--socket", d.socket])
        XCTAssertEqual(typo.status, 64)
        XCTAssertTrue(typo.err.contains("did you mean 'status'?"), typo.err)
        let version = shell(Daemon.pipectl, ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.out.trimmingCharacters(in: .whitespacesAndNewlines), photopipeVersion)
    }

    func testReloadKeepsTheRootAndSocketGivenOnTheCommandLine() throws {
        let base = NSTemporaryDirectory() + "pp-cli-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // The file says nothing of root or socket (as the demo's does not): the command line does.
        try "[watch]\nsettle_seconds = 0.3\n[web]\nlisten = \"off\"\n".write(toFile: "\(base)/p.toml", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Daemon.photopiped)
        p.arguments = ["run", "--config", "\(base)/p.toml", "--root", "\(base)/root", "--socket", "\(base)/s.sock"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        XCTAssertTrue(waitUntil(timeout: 20) { shell(Daemon.pipectl, ["status", "--socket", "\(base)/s.sock"]).status == 0 })
        let reload = shell(Daemon.pipectl, ["reload", "--socket", "\(base)/s.sock"])
        XCTAssertEqual(reload.status, 0, reload.err)
        XCTAssertTrue(reload.out.contains("configuration reloaded"), reload.out)
    }

    func testABrokenCatalogueIsRefusedByCheckConfigAndReloadAndTheErrorClearsOnceFixed() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        let catalogue = "\(d.base)/catalogue.csv"
        try "sku,title\nSKU-1,Mug\n".write(toFile: catalogue, atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try (text + "\n[ingest]\ncatalog = \"\(catalogue)\"\n").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start()

        try FileManager.default.removeItem(atPath: catalogue)
        let missing = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(missing.status, 78)
        XCTAssertTrue(missing.err.contains("'ingest.catalog' \(catalogue)"), missing.err)
        XCTAssertFalse(missing.err.contains("line 0"), missing.err)
        let refused = d.pipectl(["reload"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("reload refused") && refused.err.contains(catalogue), refused.err)

        try "title\nMug\n".write(toFile: catalogue, atomically: true, encoding: .utf8)
        let broken = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(broken.status, 78)
        XCTAssertTrue(broken.err.contains("no 'sku' column"), broken.err)
        // The daemon notices the changed file on its own and says so in status.
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.5) { (try? d.status().lastError)?.contains("no 'sku' column") == true },
                      (try? d.status().lastError) ?? "no last error")

        try "sku,title\nSKU-1,Mug\nSKU-2,Bowl\n".write(toFile: catalogue, atomically: true, encoding: .utf8)
        XCTAssertEqual(shell(Daemon.photopiped, ["check-config", d.configPath]).status, 0)
        XCTAssertEqual(d.pipectl(["reload"]).status, 0)
        XCTAssertNil(try d.status().lastError, "a fixed catalogue clears the error it caused")
    }

    func testFailedWebhooksShowInStatusAndDeliveriesFailedExitsOne() throws {
        let closed = S3Server.freePortBlock()
        try "secret = s3cr3t-for-hooks\n".write(toFile: NSTemporaryDirectory() + "pp-hook-\(getpid()).cred", atomically: true, encoding: .utf8)
        let d = try Daemon(config: """
        [delivery]
        backoff_seconds = 0.1
        backoff_cap_seconds = 0.2
        max_attempts = 2
        [delivery.target.nas]
        type = "folder"
        path = "\(NSTemporaryDirectory())pp-nas-\(UUID().uuidString.prefix(8))"
        [delivery.target.shop]
        type = "webhook"
        url = "http://127.0.0.1:\(closed)/hook"
        credentials = "\(NSTemporaryDirectory())pp-hook-\(getpid()).cred"
        """)
        defer { d.cleanUp() }
        try d.start()
        XCTAssertEqual(d.pipectl(["deliveries", "--failed"]).status, 0, "nothing failed yet")
        let src = try Fixtures.shots(count: 1, firstSku: 9301)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/hooks/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { (try? d.status().webhooksFailed) == 1 }, d.log.suffix(3000).description)
        let s = try d.status()
        XCTAssertEqual(s.deliveries?["failed"] ?? 0, 0, "the folder target delivered")
        XCTAssertTrue(s.lastError?.contains("webhook shop for batch hooks failed") ?? false, s.lastError ?? "none")
        let shown = d.pipectl(["status"])
        XCTAssertTrue(shown.out.contains("webhooks: 1 failed (see `pipectl deliveries --failed`)"), shown.out)
        let failed = d.pipectl(["deliveries", "--failed"])
        XCTAssertEqual(failed.status, 1, failed.out)
        XCTAssertTrue(failed.out.contains("shop"), failed.out)
    }

    func testMisspellingsInTheConfigGetALineAndASuggestion() throws {
        let dir = NSTemporaryDirectory() + "pp-typo-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "root = \"/tmp/x\"\n[retouch]\nshadw = \"none\"\n".write(toFile: "\(dir)/a.toml", atomically: true, encoding: .utf8)
        let key = shell(Daemon.photopiped, ["check-config", "\(dir)/a.toml"])
        XCTAssertEqual(key.status, 78)
        XCTAssertTrue(key.err.contains("line 3: unknown key 'retouch.shadw'; did you mean 'retouch.shadow'?"), key.err)
        XCTAssertLessThan(key.err.count, 300, "no list of every key")
        try "root = \"/tmp/x\"\n\n[export]\nchannels = [\"amazn\"]\n".write(toFile: "\(dir)/b.toml", atomically: true, encoding: .utf8)
        let channel = shell(Daemon.photopiped, ["check-config", "\(dir)/b.toml"])
        XCTAssertEqual(channel.status, 78)
        XCTAssertTrue(channel.err.contains("line 4: 'export.channels' names 'amazn'; did you mean 'amazon-alt' or 'amazon-main'?"), channel.err)
    }

    func testAMissingDeliveryFolderIsRefusedAndAMissingGroupIsWarnedOf() throws {
        let nas = NSTemporaryDirectory() + "pp-nas-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: nas, withIntermediateDirectories: true)
        let d = try Daemon(config: "[delivery.target.nas]\ntype = \"folder\"\npath = \"\(nas)\"\n",
                           daemonKeys: "socket_group = \"pp-no-such-group\"\n")
        defer { d.cleanUp() }
        let ok = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.err.contains("warning: 'daemon.socket_group' pp-no-such-group does not exist"), ok.err)
        try d.start()
        XCTAssertTrue(waitUntil(timeout: 5) { d.log.contains("pp-no-such-group does not exist") }, d.log)

        try FileManager.default.removeItem(atPath: nas)   // the share is not mounted
        let check = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(check.status, 78)
        XCTAssertTrue(check.err.contains("[delivery.target.nas]: path \(nas) is not a folder here"), check.err)
        let reload = d.pipectl(["reload"])
        XCTAssertEqual(reload.status, 1)
        XCTAssertTrue(reload.err.contains("is not a folder here"), reload.err)
    }

    func testAFormatPhotopipeDoesNotTakeIsNamedNotCalledDamaged() throws {
        let dir = NSTemporaryDirectory() + "pp-formats-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Tiny but valid files, named .jpg as a misconfigured export would.
        var bmp = Data("BM".utf8)
        bmp += Data([70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0])
        bmp += Data(count: 16) + Data(repeating: 200, count: 16)
        try bmp.write(to: URL(fileURLWithPath: "\(dir)/SKU-1_01.jpg"))
        try Data("P6\n2 2\n255\n".utf8 + [UInt8](repeating: 128, count: 12)).write(to: URL(fileURLWithPath: "\(dir)/SKU-2_01.jpg"))
        let r = shell(Daemon.photopiped, ["process", "\(dir)/SKU-1_01.jpg", "\(dir)/SKU-2_01.jpg", "--out", "\(dir)/out"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("SKU-1_01.jpg: format_not_accepted: The file is a BMP image"), r.out)
        XCTAssertTrue(r.out.contains("SKU-2_01.jpg: format_not_accepted: The file is a PPM/PGM (Netpbm) image"), r.out)
        XCTAssertTrue(r.out.contains("Nothing is wrong with the file"), r.out)
        XCTAssertFalse(r.out.contains("damaged"), r.out)
    }

    func testPpsamplesDefaultFramesAreBigEnoughForEveryBuiltInChannel() throws {
        let dir = NSTemporaryDirectory() + "pp-ppsample-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        let made = shell(Daemon.binDir + "/ppsample", ["--out", "\(dir)/shots", "--count", "1"])
        XCTAssertEqual(made.status, 0, made.err)
        let channels = "[export]\nchannels = [\"amazon-main\", \"amazon-alt\", \"shopify\", \"google\", \"ebay\", \"walmart\", \"zalando\"]\n"
        try channels.write(toFile: "\(dir)/all.toml", atomically: true, encoding: .utf8)
        let r = shell(Daemon.photopiped, ["process", "\(dir)/shots/SKU-1001_01.jpg", "--out", "\(dir)/out", "--config", "\(dir)/all.toml"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertFalse(r.out.contains("channel-size"), r.out)
    }

    func testACaptureOneSessionIsTakenFromItsOutputFolderWithItsSidecar() throws {
        let d = try Daemon(config: "[ingest]\nmax_depth = 3\n")
        defer { d.cleanUp() }
        try d.start()
        // A session as Capture One lays it out, synced whole into the inbox.
        let session = "\(d.base)/Session"
        for dir in ["Output", "CaptureOne/Settings153", "CaptureOne/Cache/Proxies"] {
            try FileManager.default.createDirectory(atPath: "\(session)/\(dir)", withIntermediateDirectories: true)
        }
        let src = try Fixtures.shots(count: 1, firstSku: 9401)
        let frame = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: src).first { $0.hasSuffix(".jpg") })
        let stem = (frame as NSString).deletingPathExtension
        try FileManager.default.copyItem(atPath: "\(src)/\(frame)", toPath: "\(session)/Output/\(frame)")
        try "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><rdf:Description><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Blue mug</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
            .write(toFile: "\(session)/Output/\(stem).xmp", atomically: true, encoding: .utf8)
        try "settings".write(toFile: "\(session)/CaptureOne/Settings153/\(stem).cos", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "\(src)/\(frame)", toPath: "\(session)/CaptureOne/Cache/Proxies/\(frame)")
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(d.base)/Session", "\(d.inbox)/studio-b/"]).status, 0)

        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { d.assets(in: .export).count == 1 }, d.log.suffix(3000).description)
        let m = try d.manifest(try XCTUnwrap(d.assets(in: .export).first), in: .export)
        XCTAssertEqual(m.batch, "studio-b")
        XCTAssertNotNil(m.sidecar, "the .xmp beside the frame went with it")
        XCTAssertEqual(m.descriptive?.title, "Blue mug")
        // The proxy in the cache was not taken as a second frame, and nothing was called junk.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(d.inbox)/studio-b/Session/CaptureOne/Cache/Proxies/\(frame)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(d.inbox)/studio-b/Session/CaptureOne/Settings153/\(stem).cos"))
        XCTAssertFalse(d.log.contains("not an image by its name"), d.log.suffix(2000).description)
        XCTAssertEqual(d.assets(in: .failed), [])
    }

    func testAFrameTooDeepInTheInboxIsSaidNotSilentlyLeft() throws {
        let d = try Daemon(config: "[ingest]\nmax_depth = 1\n")
        defer { d.cleanUp() }
        try d.start()
        let src = try Fixtures.shots(count: 1, firstSku: 9501)
        try FileManager.default.createDirectory(atPath: "\(d.inbox)/day/Session/Output", withIntermediateDirectories: true)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(d.inbox)/day/Session/Output/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.3) { (try? d.status().lastError)?.contains("ingest.max_depth is 1") == true },
                      (try? d.status().lastError) ?? "no last error")
    }

    func testStatusShowsEachBatchsProgressAndAnETAFromMeasuredSteps() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        try d.start()
        let first = try Fixtures.shots(count: 2, firstSku: 9601)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(first)/", "\(d.inbox)/early/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { d.assets(in: .export).count == 2 }, d.log.suffix(2000).description)
        XCTAssertEqual(try d.status().batches ?? [], [], "a finished batch is not listed")
        XCTAssertEqual(d.pipectl(["pause"]).status, 0)
        let second = try Fixtures.shots(count: 3, firstSku: 9701)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(second)/", "\(d.inbox)/late/"]).status, 0)
        var line: BatchProgressLine?
        XCTAssertTrue(waitUntil(timeout: 30, poll: 0.3) {
            line = (try? d.status().batches)??.first { $0.batch == "late" }
            return line?.total == 3
        }, "\(String(describing: try? d.status().batches))")
        XCTAssertEqual(line?.done, 0)
        XCTAssertEqual(line?.waitingForPerson, 0)
        // Ingest, retouch and export were each timed on the first batch: 3 of each at their mean, on 2 workers.
        let eta = try XCTUnwrap(line?.etaSeconds, "every step was timed on the first batch")
        XCTAssertGreaterThan(eta, 0)
        XCTAssertLessThan(eta, 120)
        let shown = d.pipectl(["status"])
        XCTAssertNotNil(shown.out.range(of: #"late\s+0/3\s+0\s+\d+(s|m \d\ds)"#, options: .regularExpression), shown.out)
    }

    func testNoticesReachASignedWebhookAndSendmail() throws {
        let base = NSTemporaryDirectory() + "pp-notify-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let secret = "notice-secret-42"
        try "secret = \(secret)\n".write(toFile: "\(base)/hook.cred", atomically: true, encoding: .utf8)
        // sendmail's interface (-t: recipients from the headers; -i: a lone dot is text), keeping each message.
        try "#!/bin/sh\n[ \"$1\" = -t ] && [ \"$2\" = -i ] || exit 64\ncat > \"\(base)/mail.$$.txt\"\n"
            .write(toFile: "\(base)/sendmail", atomically: true, encoding: .utf8)
        chmod("\(base)/sendmail", 0o755)
        let receiver = try WebhookReceiver.start(secret: secret, dir: "\(base)/posts")
        defer { receiver.process.terminate() }
        let closed = S3Server.freePortBlock()
        try "access_key_id = k\nsecret_access_key = s\n".write(toFile: "\(base)/cdn.cred", atomically: true, encoding: .utf8)
        let d = try Daemon(config: """
        [notify]
        webhook = "http://127.0.0.1:\(receiver.port)/notice"
        credentials = "\(base)/hook.cred"
        mail_to = ["studio@example.com"]
        sendmail = "\(base)/sendmail"
        disk_free_percent = 100
        [delivery]
        max_attempts = 1
        [delivery.target.cdn]
        type = "s3"
        endpoint = "http://127.0.0.1:\(closed)"
        bucket = "nowhere"
        credentials = "\(base)/cdn.cred"
        """)
        defer { d.cleanUp() }
        try d.start()
        let shots = try WorkbenchSite.shots()
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(shots.dir)/", "\(d.inbox)/told/"]).status, 0)
        func posts() -> [[String: Any]] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(base)/posts")) ?? []).filter { $0.hasSuffix(".json") }.sorted().compactMap {
                (try? Data(contentsOf: URL(fileURLWithPath: "\(base)/posts/\($0)"))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            }
        }
        func events() -> [String] {
            posts().compactMap { ($0["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["event"] as? String }
        }
        XCTAssertTrue(waitUntil(timeout: 180, poll: 0.5) { Set(events()).isSuperset(of: ["disk-low", "exceptions", "review-waiting", "delivery-failed"]) },
                      "\(events())\n\(d.log.suffix(3000))")
        XCTAssertTrue(posts().allSatisfy { $0["valid"] as? Bool == true }, "every post is signed with the notify secret")
        let headers = posts().compactMap { $0["headers"] as? [String: String] }
        XCTAssertTrue(headers.contains { $0["X-Photopipe-Event"] == "notice.review-waiting" }, "\(headers)")
        XCTAssertEqual(events().filter { $0 == "disk-low" }.count, 1, "told once")
        let mails = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).filter { $0.hasPrefix("mail.") }
        XCTAssertGreaterThanOrEqual(mails.count, 4, "\(mails)")
        let texts = mails.compactMap { try? String(contentsOfFile: "\(base)/\($0)", encoding: .utf8) }
        XCTAssertTrue(texts.contains { $0.contains("To: studio@example.com\n") && $0.contains("Subject: [photopipe] batch told: 2 exceptions") }, texts.joined(separator: "\n---\n"))
    }

    func testAWatchFolderPerStationNamesItsBatchesByItsRule() throws {
        let d = try Daemon()
        defer { d.cleanUp() }
        let station = "\(d.base)/station1"
        try FileManager.default.createDirectory(atPath: station, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try (text + "\n[watch.folder.station1]\npath = \"\(station)\"\nbatch = \"st1-{folder}\"\n").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(shell(Daemon.photopiped, ["check-config", d.configPath]).status, 0)
        try d.start()
        let src = try Fixtures.shots(count: 2, firstSku: 9801)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(src)/", "\(station)/shoot-a/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { d.assets(in: .export).count == 2 }, d.log.suffix(2000).description)
        for id in d.assets(in: .export) { XCTAssertEqual(try d.manifest(id, in: .export).batch, "st1-shoot-a") }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: "\(station)/shoot-a")) ?? ["?"], [], "taken from the station's folder")

        // A second station added by a reload is watched at once, what it already holds included.
        let second = "\(d.base)/station2"
        try FileManager.default.createDirectory(atPath: "\(second)/early", withIntermediateDirectories: true)
        let more = try Fixtures.shots(count: 1, firstSku: 9851)
        XCTAssertEqual(shell("/usr/bin/rsync", ["-a", "\(more)/", "\(second)/early/"]).status, 0)
        let now = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try (now + "[watch.folder.station2]\npath = \"\(second)\"\nbatch = \"{name}\"\n").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(d.pipectl(["reload"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 90, poll: 0.3) { d.assets(in: .export).count == 3 }, d.log.suffix(2000).description)
        XCTAssertTrue(try d.assets(in: .export).map { try d.manifest($0, in: .export).batch }.contains("station2"))

        // A folder that is not there is refused by check-config and reload.
        try FileManager.default.removeItem(atPath: second)
        let check = shell(Daemon.photopiped, ["check-config", d.configPath])
        XCTAssertEqual(check.status, 78)
        XCTAssertTrue(check.err.contains("[watch.folder.station2]: path \(second) is not a folder here"), check.err)
        XCTAssertEqual(d.pipectl(["reload"]).status, 1)
    }

    func testNoBuildArtefactIsTracked() throws {
        let files = shell("/usr/bin/git", ["-C", Self.repo, "ls-files"])
        guard files.status == 0 else { throw XCTSkip("not a git checkout: \(files.err)") }
        let artefacts = files.out.split(separator: "\n").filter {
            $0.contains("__pycache__/") || $0.hasSuffix(".pyc") || $0.hasPrefix(".build/") || $0.hasSuffix(".o") || $0 == "Package.resolved"
        }
        XCTAssertEqual(artefacts, [], "build artefacts belong in .gitignore")
        let ignore = try String(contentsOfFile: Self.repo + "/.gitignore", encoding: .utf8)
        for pattern in ["__pycache__/", "*.pyc", ".build/", "Package.resolved"] { XCTAssertTrue(ignore.contains(pattern), pattern) }
    }

    func testJournalLinesDoNotRepeatTheProgramsName() throws {
        let dir = NSTemporaryDirectory() + "pp-journal-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "root = \"/tmp/x\"\n[retouch]\nshadw = 1\n".write(toFile: "\(dir)/bad.toml", atomically: true, encoding: .utf8)
        let r = shell(Daemon.photopiped, ["run", "--config", "\(dir)/bad.toml"])
        XCTAssertEqual(r.status, 78)
        // journald writes "photopiped[pid]: " itself; the line starts with its priority, then the message.
        XCTAssertTrue(r.err.hasPrefix("<2>config refused: "), r.err)
        XCTAssertFalse(r.err.contains("photopiped: "), r.err)
    }

    func testTheTestSummaryCountsSkippedTestsApartAndSaysWhy() throws {
        let log = NSTemporaryDirectory() + "pp-xctest-\(getpid()).log"
        try """
        Test Case 'A.testOne' passed (0.1 seconds)
        /src/A.swift:9: error: A.testTwo : XCTAssertTrue failed
        Test Case 'A.testTwo' failed (0.2 seconds)
        /src/B.swift:19: B.testThree : Test skipped - needs root to mount a tmpfs
        Test Case 'B.testThree' skipped (0.0 seconds)
        Test Suite 'All tests' failed at 2026-11-30 10:00:00.000
        \t Executed 3 tests, with 1 test skipped and 1 failure (0 unexpected) in 0.3 (0.3) seconds

        """.write(toFile: log, atomically: true, encoding: .utf8)
        let r = shell("/bin/bash", [Self.repo + "/scripts/summarize-tests.sh", log])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "skipped:\n  B.testThree: needs root to mount a tmpfs\n1 passed, 1 failed, 1 skipped\n")
    }

    static var repo: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
