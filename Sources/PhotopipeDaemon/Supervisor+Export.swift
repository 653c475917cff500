import Delivery
import Foundation
import PipelineCore

/// Publishing an asset's channel files into export/<channel>/, and the per-batch channel
/// manifests and Shopify CSVs beside them.
extension Supervisor {
    /// Places the worker's files; returns false when the asset was moved to failed/ instead.
    func finishExport(_ reply: WorkerReply, claim: String, manifest m: inout Manifest) -> Bool {
        let previous = m.outputs
        var issues = reply.exportIssues ?? []
        do {
            let (published, clashes, freed) = try publishOutputs(reply.outputs ?? [], claim: claim, manifest: m)
            m.outputs = published
            issues += clashes
            requeueWaitingFor(freed)
        } catch {
            fail(claim: claim, manifest: m, step: .export, code: "publish_failed",
                 message: "Could not place the exported files: \(error).", attempts: 1)
            return false
        }
        m.exportIssues = issues.isEmpty ? nil : issues
        recordExportIssues(m)
        let channels = Set(previous.map(\.channel) + m.outputs.map(\.channel) + config.export.channels)
        for c in channels { channelManifests.queue(m, channel: c) }
        queueDeliveries(m)
        return true
    }

    /// Links each output into export/<channel>/ (temporary name, then rename). A name another asset
    /// owns is never overwritten: that channel gets no file and the asset an exception. Files of
    /// this asset's earlier export that this one did not write again are removed.
    func publishOutputs(_ outputs: [OutputRecord], claim: String, manifest m: Manifest) throws
        -> (published: [OutputRecord], clashes: [ChannelIssue], freed: [(channel: String, file: String)]) {
        var freed: [(channel: String, file: String)] = []
        var published: [OutputRecord] = [], issues: [ChannelIssue] = []
        for var o in outputs {
            let dir = layout.channel(o.channel), owners = layout.owners(o.channel)
            try FileOps.makeDirectory(owners)
            let name = (o.path as NSString).lastPathComponent
            let dest = "\(dir)/\(name)"
            let owner = owner(of: name, in: o.channel)
            let ours = owner == m.id || (owner == nil && m.outputs.contains { $0.path == "export/\(o.channel)/\(name)" })
            if FileOps.exists(dest) && !ours {
                let who = owner.map { "asset \($0)" } ?? "a file already there"
                issues.append(ChannelIssue(channel: o.channel, code: "name_taken",
                                           message: "\(o.channel)/\(name) belongs to \(who); two assets may not share a name, so this one was not written. Check the SKU and view of both, or put {sku} and {nn} in export.preset.\(o.channel).name, then `pipectl retry \(m.id)`",
                                           file: name))
                continue
            }
            try setOwner(m.id, of: name, in: o.channel)
            let tmp = "\(dir)/.\(name).\(m.id).tmp"
            unlink(tmp)
            guard link("\(claim)/\(o.path)", tmp) == 0 else { throw FileSystemError("cannot link \(o.path) into \(dir)") }
            guard rename(tmp, dest) == 0 else { throw FileSystemError("cannot publish \(name)") }
            o.path = "export/\(o.channel)/\(name)"
            published.append(o)
        }
        let kept = Set(published.map(\.path))
        for old in m.outputs where !kept.contains(old.path) {
            let name = (old.path as NSString).lastPathComponent
            guard owner(of: name, in: old.channel) == m.id else { continue }
            unlink("\(layout.root)/\(old.path)")
            unlink("\(layout.owners(old.channel))/\(name)")
            freed.append((old.channel, name))
        }
        AtomicFile.syncDirectory(layout.dir(.export))
        return (published, issues, freed)
    }

    func owner(of name: String, in channel: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "\(layout.owners(channel))/\(name)")
    }

    func setOwner(_ id: String, of name: String, in channel: String) throws {
        let dir = layout.owners(channel), tmp = "\(dir)/.\(name).\(id).tmp"
        unlink(tmp)
        guard symlink(id, tmp) == 0, rename(tmp, "\(dir)/\(name)") == 0 else { throw FileSystemError("cannot record the owner of \(channel)/\(name)") }
    }

    /// `export/.issues/<asset>` holds the asset's channel exceptions while it has any, so status can count them.
    func recordExportIssues(_ m: Manifest) {
        let path = "\(layout.exportIssues)/\(m.id)"
        guard let issues = m.exportIssues else { unlink(path); return }
        try? FileOps.makeDirectory(layout.exportIssues)
        try? AtomicFile.write(try ManifestStore.encoder().encode(issues), to: path)
        for i in issues {
            log.notice("\(m.id): no \(i.channel) file: \(i.code): \(i.message)")
            record(Event(event: "export-exception", asset: m.id, step: "export", detail: "\(i.channel): \(i.code): \(i.message)"))
        }
    }

    /// Assets that lost a name to this one get another export once it lets the name go.
    func requeueWaitingFor(_ freed: [(channel: String, file: String)]) {
        guard !freed.isEmpty else { return }
        let wanted = Set(freed.map { "\($0.channel)/\($0.file)" })
        for id in ((try? FileManager.default.contentsOfDirectory(atPath: layout.exportIssues)) ?? []) where !id.hasPrefix(".") {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: "\(layout.exportIssues)/\(id)")),
                  let issues = try? ManifestStore.decoder().decode([ChannelIssue].self, from: data),
                  issues.contains(where: { $0.code == "name_taken" && wanted.contains("\($0.channel)/\($0.file ?? "")") }),
                  (try? FileOps.move(layout.asset(id, in: .export), layout.asset(id, in: .approved))) != nil else { continue }
            index.move(id, to: .approved)
            log.info("\(id): a name it was waiting for is free again; exporting it again")
            scheduler.enqueue(id, for: .export)
        }
    }

    /// At start: the channel manifests of batches that missed an export (a crash between the
    /// export and the manifest flush) are rebuilt from their exported assets.
    func rebuildChannelManifests(batches: Set<String>) {
        guard !batches.isEmpty else { return }
        var all: [String: [String: ChannelManifest]] = [:]
        for e in index.entries(in: pipeline.done) where batches.contains(e.batch) {
            guard let m = try? ManifestStore.read(assetDir: layout.asset(e.key, in: pipeline.done)) else { continue }
            for c in Set(m.outputs.map(\.channel)) {
                all[c, default: [:]][m.batch, default: ChannelManifest(channel: c, batch: m.batch)]
                    .replace([m.id: ChannelManifest.entries(for: m, channel: c)])
            }
        }
        for batches in all.values {
            for manifest in batches.values { if let f = channelManifests.write(manifest, config: config) { lastError = f } }
        }
    }
}
