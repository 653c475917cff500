import Foundation
import PipelineCore

/// A variant its generator gave up on (down, slow, garbage, every attempt) is shown to a person in
/// `failed/`, beside its source, with the generator's reason; its packshot went on long before.
extension Supervisor {
    func publishGivenUpVariant(_ id: String, issue: ChannelIssue, source m: Manifest) {
        guard AssetID.isValid(id) else { return }
        let staging = "\(layout.staging)/\(id)"
        var vm = variantManifest(id, source: m)
        let failure = FailureRecord(step: "generate", code: issue.code, message: issue.message, attempts: 1, at: clock.now())
        vm.error = failure
        vm.history = [HistoryEntry(step: "generate", to: "failed", at: clock.now(), note: "variant of \(m.id) given up: \(issue.code)")]
        do {
            try? FileManager.default.removeItem(atPath: staging)
            try FileOps.makeDirectory(staging)
            try ManifestStore.write(vm, assetDir: staging)
            try ManifestStore.writeFailure(failure, assetDir: staging)
            let failedDir = layout.dir(.failed)
            let name = FileOps.freeName(in: failedDir, for: id)
            try FileOps.move(staging, "\(failedDir)/\(name)")
            index.put(vm, key: name, in: .failed)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            log.error("cannot record the given-up variant \(id) of \(m.id): \(error)")
        }
    }

    func dropGivenUpVariant(_ id: String, at path: String) {
        try? FileManager.default.removeItem(atPath: path)
        index.removeFailed(id)
    }
}
