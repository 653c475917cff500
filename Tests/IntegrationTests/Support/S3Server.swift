import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// SeaweedFS's S3 gateway (`weed mini`, from scripts/fetch-s3-server.sh) on 127.0.0.1 only,
/// with its own ports and data folder; stopped by its PID.
final class S3Server {
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.cache/bin/weed").standardized.path
    }
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let dir: String
    let port: Int
    let bucket: String
    let accessKey = "PHOTOPIPETEST"
    let secretKey = "s3cr3t-for-tests-only"
    private var process: Process?
    private let logPath: String

    init(bucket: String = "photos") throws {
        dir = NSTemporaryDirectory() + "pp-s3-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
        self.bucket = bucket
        port = S3Server.freePortBlock()
        logPath = "\(dir)/weed.log"
        let identities = """
        {"identities":[{"name":"photopipe","credentials":[{"accessKey":"\(accessKey)","secretKey":"\(secretKey)"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
        """
        try identities.write(toFile: "\(dir)/identities.json", atomically: true, encoding: .utf8)
        try start()
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: S3Server.binary)
        p.arguments = ["mini", "-dir=\(dir)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3.port=\(port)",
                       "-s3.config=\(dir)/identities.json", "-admin.ui=false", "-webdav=false", "-bucket=\(bucket)",
                       "-master.port=\(port + 1)", "-master.port.grpc=\(port + 2)", "-volume.port=\(port + 3)",
                       "-volume.port.grpc=\(port + 4)", "-filer.port=\(port + 5)", "-filer.port.grpc=\(port + 6)",
                       "-admin.port=\(port + 7)", "-admin.port.grpc=\(port + 8)"]
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
        let up = waitUntil(timeout: 60) { self.answers() }
        XCTAssertTrue(up, "weed mini did not come up; log:\n\((try? String(contentsOfFile: self.logPath, encoding: .utf8))?.suffix(3000) ?? "")")
    }

    /// The S3 port answers HTTP and the bucket exists (an unsigned request gets an S3 error, not a refusal).
    func answers() -> Bool {
        guard let url = URL(string: "\(endpoint)/\(bucket)") else { return false }
        var req = URLRequest(url: url)
        req.timeoutInterval = 2
        let done = DispatchSemaphore(value: 0)
        final class Flag: @unchecked Sendable { var status = 0 }
        let flag = Flag()
        URLSession.shared.dataTask(with: req) { _, response, _ in
            flag.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            done.signal()
        }.resume()
        done.wait()
        return flag.status > 0
    }

    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGTERM)
        // Not long: a test that ran a daemon in this process left SIGTERM ignored, and the server inherits that.
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Nine consecutive ports that nothing listens on, below the kernel's ephemeral range: a port
    /// in that range can be taken at any moment as the source port of an outgoing connection (the
    /// daemon's own uploads), which once stopped a restarted server from binding its admin port.
    static func freePortBlock() -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
        let top = min(max((range.first ?? 32_768) - 10, 12_000), 65_000)
        for _ in 0..<200 {
            let base = Int.random(in: 10_000...top)
            if (0..<9).allSatisfy({ portIsFree(base + $0) }) { return base }
        }
        return 31_000
    }

    static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
