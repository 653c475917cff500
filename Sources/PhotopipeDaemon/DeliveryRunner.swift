import Delivery
import Foundation
import PipelineCore

/// One upload (or webhook post) for a delivery thread; `Deliveries` owns every record.
struct DeliveryJob: Sendable {
    enum Work: Sendable {
        /// One attempt at a file: abort the upload the item records, if any; then nothing (same bytes
        /// there), a PUT, or CreateMultipartUpload (whose id `Deliveries` records before `.parts`).
        case file(DeliveryRecord.Item, batch: String, sku: String)
        /// The parts and CompleteMultipartUpload of the upload the item records.
        case parts(DeliveryRecord.Item, batch: String, sku: String)
        /// Only abort the upload the item records (left by an earlier run on a settled item).
        case abort(DeliveryRecord.Item)
        case webhook(Data, id: String)
    }
    var target: DeliverySettings.Target
    var credentials: Credentials
    /// The asset id (files) or the batch (webhooks).
    var owner: String
    var work: Work
    var root: String

    var key: String {
        switch work {
        case .file(let item, _, _), .parts(let item, _, _), .abort(let item): "\(target.name)/\(owner)/\(item.path)"
        case .webhook: "\(target.name)/batch/\(owner)"
        }
    }
}

struct DeliveryOutcome: Sendable {
    /// What became of the item's recorded multipart upload.
    enum Upload: Sendable, Equatable {
        case unchanged
        /// Started, not yet recorded: `Deliveries` records it, then sends the parts.
        case started(id: String, key: String)
        /// Completed or aborted: the record forgets it.
        case cleared
    }
    var job: DeliveryJob
    var result: Result<S3Client.Result, DeliveryFailure>
    var upload: Upload = .unchanged
}

/// Runs delivery jobs on their own threads (network waits never touch the main loop) and posts
/// each outcome to the mailbox. `Deliveries` caps how many run at once.
enum DeliveryRunner {
    static let queue = DispatchQueue(label: "photopipe.delivery", attributes: .concurrent)

    static func start(_ job: DeliveryJob, mailbox: Mailbox) {
        queue.async { mailbox.post(.delivered(perform(job))) }
    }

    static func failure(_ error: Error) -> DeliveryFailure {
        error as? DeliveryFailure ?? DeliveryFailure(permanent: true, "\(error)")
    }

    static func perform(_ job: DeliveryJob) -> DeliveryOutcome {
        var out = DeliveryOutcome(job: job, result: .failure(DeliveryFailure(permanent: true, "not run")))
        do {
            switch job.work {
            case .file(let item, let batch, let sku):
                let local = "\(job.root)/\(item.path)"
                switch job.target.kind {
                case .folder:
                    out.result = .success(try FolderTarget(target: job.target).deliver(localPath: local, channel: item.channel, file: item.file, sha256: item.sha256))
                case .s3:
                    let key = try KeyTemplate(job.target.key).render(channel: item.channel, file: item.file, batch: batch, sku: sku)
                    let client = S3Client(target: job.target, credentials: job.credentials)
                    if let id = item.uploadId {
                        try client.abortMultipart(key: item.uploadKey ?? key, uploadID: id)
                        out.upload = .cleared
                    }
                    guard client.needsParts(localPath: local) else {
                        out.result = .success(try client.deliver(localPath: local, key: key, sha256: item.sha256))
                        return out
                    }
                    // An upload of this key that a run which died before recording its id left behind.
                    for u in (try? client.multipartUploads(prefix: key)) ?? [] where u.key == key {
                        try? client.abortMultipart(key: key, uploadID: u.uploadID)
                    }
                    if let existing = try client.head(key: key), existing == item.sha256 {
                        out.result = .success(S3Client.Result(url: client.publicURL(key: key), etag: nil, alreadyThere: true))
                        return out
                    }
                    guard FolderTarget.sha256(of: local) == item.sha256 else {
                        throw DeliveryFailure(permanent: true, "the exported file \(local) is missing or changed since export; re-export the asset")
                    }
                    out.upload = .started(id: try client.startMultipart(key: key, sha256: item.sha256), key: key)
                    out.result = .success(S3Client.Result(url: client.publicURL(key: key), etag: nil, alreadyThere: false))
                case .webhook:
                    out.result = .failure(DeliveryFailure(permanent: true, "a webhook target takes no files"))
                }
            case .parts(let item, _, _):
                guard let id = item.uploadId, let key = item.uploadKey else {
                    throw DeliveryFailure(permanent: false, "no multipart upload recorded for \(item.path)")
                }
                let client = S3Client(target: job.target, credentials: job.credentials)
                do {
                    let etag = try client.uploadParts(localPath: "\(job.root)/\(item.path)", key: key, uploadID: id)
                    out.upload = .cleared
                    out.result = .success(S3Client.Result(url: client.publicURL(key: key), etag: etag, alreadyThere: false))
                } catch {
                    if (try? client.abortMultipart(key: key, uploadID: id)) != nil { out.upload = .cleared }
                    throw error
                }
            case .abort(let item):
                guard let id = item.uploadId else { out.upload = .cleared; out.result = .success(.init(url: "", etag: nil, alreadyThere: false)); return out }
                let client = S3Client(target: job.target, credentials: job.credentials)
                try client.abortMultipart(key: item.uploadKey ?? "", uploadID: id)
                out.upload = .cleared
                out.result = .success(S3Client.Result(url: "", etag: nil, alreadyThere: false))
            case .webhook(let body, let id):
                try Webhook(target: job.target, credentials: job.credentials).post(body, id: id)
                out.result = .success(S3Client.Result(url: job.target.url ?? "", etag: nil, alreadyThere: false))
            }
        } catch {
            out.result = .failure(failure(error))
        }
        return out
    }
}
