import Delivery
import Foundation
import Logging
import PipelineCore

/// The per-batch channel manifests (and Shopify CSVs) beside each channel's files. Exports queue
/// their entries; they are written at most once a second. Entries whose write fails (a full
/// disk) stay queued for the next flush; a crash before the flush is repaired at start, when the
/// batches whose manifest is older than an exported asset are rebuilt.
final class ChannelManifests {
    private let layout: Layout
    private let log: Logger
    /// channel → batch → asset → entries (empty: the asset's entries go).
    private var pending: [String: [String: [String: [ChannelManifest.Entry]]]] = [:]
    private var lastFlush = Date.distantPast

    init(layout: Layout, log: Logger) {
        self.layout = layout
        self.log = log
    }

    func queue(_ m: Manifest, channel: String) {
        pending[channel, default: [:]][m.batch, default: [:]][m.id] = ChannelManifest.entries(for: m, channel: channel)
    }

    /// Flushes when something waits and a second has passed; returns a failure to report, if any.
    func flushIfDue(now: Date, config: Config) -> String? {
        guard !pending.isEmpty, now.timeIntervalSince(lastFlush) >= 1 else { return nil }
        return flush(now: now, config: config)
    }

    /// Writes the pending entries into each batch's channel manifest; returns the last failure.
    @discardableResult
    func flush(now: Date, config: Config) -> String? {
        lastFlush = now
        let work = pending
        pending = [:]
        var failure: String?
        for (channel, batches) in work {
            for (batch, byAsset) in batches {
                let path = "\(layout.channel(channel))/\(ChannelManifest.fileName(batch: batch))"
                var manifest = (try? Data(contentsOf: URL(fileURLWithPath: path)))
                    .flatMap { try? ManifestStore.decoder().decode(ChannelManifest.self, from: $0) }
                    ?? ChannelManifest(channel: channel, batch: batch)
                manifest.replace(byAsset)
                if let f = write(manifest, config: config) {
                    failure = f
                    for (asset, entries) in byAsset where pending[channel]?[batch]?[asset] == nil {
                        pending[channel, default: [:]][batch, default: [:]][asset] = entries
                    }
                }
            }
        }
        return failure
    }

    /// Writes one channel manifest (and its Shopify CSV when the preset asks); returns why not.
    @discardableResult
    func write(_ manifest: ChannelManifest, config: Config) -> String? {
        let dir = layout.channel(manifest.channel)
        let path = "\(dir)/\(ChannelManifest.fileName(batch: manifest.batch))"
        do {
            if manifest.files.isEmpty && !FileOps.exists(path) { return nil }
            try FileOps.makeDirectory(dir)
            try AtomicFile.write(try ManifestStore.encoder().encode(manifest), to: path)
            if config.export.presets[manifest.channel]?.shopifyCSV == true {
                // The delivered public URL when an S3 target takes this channel.
                let s3 = config.delivery.fileTargets.first { $0.kind == .s3 && $0.takes(channel: manifest.channel) }
                let csv = ShopifyCSV.render(manifest, baseURL: config.export.baseURL) { e in
                    guard let t = s3, let key = try? KeyTemplate(t.key).render(channel: manifest.channel, file: e.file, batch: manifest.batch, sku: e.sku) else { return nil }
                    return S3Client.publicURL(t, key: key)
                }
                try AtomicFile.write(Data(csv.utf8), to: "\(dir)/\(ShopifyCSV.fileName(batch: manifest.batch))")
            }
            return nil
        } catch {
            log.error("cannot write \(path): \(error)")
            return "cannot write \(path): \(error)"
        }
    }
}
