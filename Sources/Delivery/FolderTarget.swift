import Foundation
import PipelineCore

/// A local or mounted folder (NAS, DAM hot folder): the export's layout and names, each file
/// written under a temporary name, fsync'd, then renamed. The same bytes already there are left.
public struct FolderTarget: Sendable {
    public let target: DeliverySettings.Target
    public init(target: DeliverySettings.Target) { self.target = target }

    public func deliver(localPath: String, channel: String, file: String, sha256: String) throws -> S3Client.Result {
        let dir = "\(target.path!)/\(Sanitizer.component(channel, fallback: "channel"))"
        let dest = "\(dir)/\(Sanitizer.component(file, fallback: "file"))"
        if FolderTarget.sha256(of: dest) == sha256 { return S3Client.Result(url: "file://\(dest)", etag: nil, alreadyThere: true) }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            guard let data = FileManager.default.contents(atPath: localPath) else {
                throw DeliveryFailure(permanent: true, "the exported file \(localPath) is missing; re-export the asset")
            }
            try AtomicFile.write(data, to: dest)
        } catch let f as DeliveryFailure {
            throw f
        } catch {
            // A NAS that is away comes back: try again later.
            throw DeliveryFailure(permanent: false, "target \(target.name): cannot write \(dest) (\(error))")
        }
        return S3Client.Result(url: "file://\(dest)", etag: nil, alreadyThere: false)
    }

    public static func sha256(of path: String) -> String? { (try? FileDigest.of(path))?.sha256 }
}
