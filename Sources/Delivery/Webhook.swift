import Foundation
import PipelineCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs a batch's delivery state, signed: `X-Photopipe-Signature: sha256=<hex HMAC-SHA256 of the body>`,
/// with `X-Photopipe-Delivery: <id>` (the body's `delivery`): the same on every repeat of one post.
public struct Webhook: Sendable {
    public let target: DeliverySettings.Target
    let secret: String
    public init(target: DeliverySettings.Target, credentials: Credentials) { self.target = target; secret = credentials.secret }

    public static func signature(body: Data, secret: String) -> String {
        "sha256=" + SHA256.hexString(SHA256.hmac(key: Array(secret.utf8), body))
    }

    public func post(_ body: Data, id: String? = nil, event: String = "batch.delivered") throws {
        var req = URLRequest(url: URL(string: target.url!)!)
        req.httpMethod = "POST"
        req.httpBody = body
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.setValue(event, forHTTPHeaderField: "X-Photopipe-Event")
        req.setValue(id ?? SHA256.hex(body), forHTTPHeaderField: "X-Photopipe-Delivery")
        req.setValue(Webhook.signature(body: body, secret: secret), forHTTPHeaderField: "X-Photopipe-Signature")
        let r = try HTTP.send(req, timeout: 30)
        switch r.status {
        case 200..<300: return
        case 408, 429, 500...599: throw DeliveryFailure(permanent: false, "target \(target.name): the receiver answered \(r.status); will try again")
        default: throw DeliveryFailure(permanent: true, "target \(target.name): the receiver refused the manifest with HTTP \(r.status); check its URL and secret, then `pipectl redeliver`")
        }
    }
}

extension BatchDeliveryManifest {
    /// The batch's state with its delivery id (SHA-256 of the rest of the body).
    public static func make(batch: String, records: [DeliveryRecord], waiting: Int = 0,
                            assetFailures: [Failure] = []) -> BatchDeliveryManifest {
        BatchDeliveryManifest(batch: batch, records: records, waiting: waiting, assetFailures: assetFailures, digest: SHA256.hex)
    }
}

extension WebhookRecord {
    /// A pending post of `manifest` to webhook `target`.
    public static func make(target: String, manifest: BatchDeliveryManifest) -> WebhookRecord {
        WebhookRecord(target: target, batch: manifest.batch, manifest: manifest, digest: SHA256.hex)
    }
}
