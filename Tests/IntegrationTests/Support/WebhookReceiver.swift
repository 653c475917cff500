import Foundation
import XCTest

/// The signed-webhook receiver (`webhook_receiver.py`) on a free local port: it checks each
/// post's signature and keeps the posts under `dir`; the first `failFirst` posts get a 503.
enum WebhookReceiver {
    static func start(secret: String, dir: String, failFirst: Int = 0) throws -> (process: Process, port: Int) {
        let port = S3Server.freePortBlock()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("webhook_receiver.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "\(port)", secret, dir, "\(failFirst)"]
        try p.run()
        XCTAssertTrue(waitUntil(timeout: 10) { !S3Server.portIsFree(port) }, "the webhook receiver listens")
        return (p, port)
    }
}
