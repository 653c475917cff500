import Delivery
import Foundation
import PipelineCore

/// One upload (or webhook post) for a delivery thread; the supervisor owns every record.
struct DeliveryJob: Sendable {
    enum Work: Sendable {
        case file(DeliveryRecord.Item, batch: String, sku: String)
        case webhook(Data)
    }
    var target: DeliverySettings.Target
    var credentials: Credentials
    /// The asset id (files) or the batch (webhooks).
    var owner: String
    var work: Work
    var root: String

    var key: String {
        switch work {
        case .file(let item, _, _): "\(target.name)/\(owner)/\(item.path)"
        case .webhook: "\(target.name)/batch/\(owner)"
        }
    }
}

struct DeliveryOutcome: Sendable {
    var job: DeliveryJob
    var result: Result<S3Client.Result, DeliveryFailure>
}

/// Runs delivery jobs on their own threads (network waits never touch the main loop) and posts
/// each outcome to the mailbox. The supervisor caps how many run at once.
enum DeliveryRunner {
    static let queue = DispatchQueue(label: "photopipe.delivery", attributes: .concurrent)

    static func start(_ job: DeliveryJob, mailbox: Mailbox) {
        queue.async { mailbox.post(.delivered(DeliveryOutcome(job: job, result: perform(job)))) }
    }

    static func perform(_ job: DeliveryJob) -> Result<S3Client.Result, DeliveryFailure> {
        do {
            switch job.work {
            case .file(let item, let batch, let sku):
                let local = "\(job.root)/\(item.path)"
                switch job.target.kind {
                case .folder:
                    return .success(try FolderTarget(target: job.target).deliver(localPath: local, channel: item.channel, file: item.file, sha256: item.sha256))
                case .s3:
                    let key = try KeyTemplate(job.target.key).render(channel: item.channel, file: item.file, batch: batch, sku: sku)
                    return .success(try S3Client(target: job.target, credentials: job.credentials).deliver(localPath: local, key: key, sha256: item.sha256))
                case .webhook:
                    return .failure(DeliveryFailure(permanent: true, "a webhook target takes no files"))
                }
            case .webhook(let body):
                try Webhook(target: job.target, credentials: job.credentials).post(body)
                return .success(S3Client.Result(url: job.target.url ?? "", etag: nil, alreadyThere: false))
            }
        } catch let f as DeliveryFailure {
            return .failure(f)
        } catch {
            return .failure(DeliveryFailure(permanent: true, "\(error)"))
        }
    }
}
