import CSystem
import CShims
import Export
import Foundation
import Generate
import Imaging
import Ingest
import PipelineCore
import PhotopipeDaemon
import Retouch

/// The worker process: reads jobs from stdin, does the image work, answers on stdout.
enum WorkerMain {
    static func run(memoryMB: Int, vipsThreads: Int, parent: Int32) -> Int32 {
        if parent > 0 && pp_die_with_parent(parent) != 0 { return 1 }
        // A supervisor that is gone shows up as EPIPE from write(2), handled below, not as a signal.
        signal(SIGPIPE, SIG_IGN)
        if memoryMB > 0 { _ = pp_limit_memory(UInt64(memoryMB) * 1024 * 1024) }
        do { try Vips.start(threads: vipsThreads) } catch {
            say("<3>photopiped worker: \(error)")
            return 1
        }
        let decoder = ManifestStore.decoder()
        while let line = readLine(strippingNewline: true) {
            guard let job = try? decoder.decode(WorkerJob.self, from: Data(line.utf8)) else {
                say("<3>photopiped worker: unreadable job line")
                continue
            }
            var reply = handle(job)
            // A process that ran into its memory cap may have a broken thread pool: start afresh.
            if reply.failure?.code == "memory_limit" { reply.retiring = true }
            if let data = try? ControlLine.encode(reply), !writeAll(STDOUT_FILENO, data) {
                say("<6>photopiped worker \(getpid()): the supervisor is gone (\(String(cString: strerror(errno)))); exiting")
                return 0
            }
            if reply.retiring == true { return 0 }
        }
        return 0
    }

    /// write(2) until every byte is out, through EINTR and partial writes; false on EPIPE and the like
    /// (errno says which). FileHandle.write would trap instead.
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    /// One line on stderr (the journal), never a trap.
    static func say(_ line: String) { _ = writeAll(STDERR_FILENO, Data((line + "\n").utf8)) }

    static func handle(_ job: WorkerJob) -> WorkerReply {
        let started = DispatchTime.now()
        var reply = perform(job)
        reply.computeMs = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        return reply
    }

    /// The image work of each worker stage. Inline stages never reach a worker.
    static let stages: [Step: @Sendable (WorkerJob, inout WorkerReply) throws -> Void] = [
        .ingest: { job, reply in
            let r = try IngestProbe.run(path: job.path, maxPixels: job.settings.maxPixels)
            reply.digest = r.digest
            reply.source = r.source
            reply.camera = r.camera
            reply.descriptive = r.descriptive
            if let f = r.failure { reply.ok = false; reply.failure = f }
        },
        .retouch: { job, reply in
            let m = try ManifestStore.read(assetDir: job.path)
            var settings = job.settings
            if let overrides = m.retouchOverrides, !overrides.isEmpty {
                var base = Config()
                base.retouch = settings.retouch
                do { settings.retouch = try ConfigLoader.applying(overrides, to: base).retouch }
                catch { throw StepFailure("bad_override", "The asset's overrides are refused (\(error)); `pipectl rollback` it.") }
            }
            reply.master = try RetouchStage.run(original: "\(job.root)/\(m.original)", assetDir: job.path, settings: settings)
        },
        .export: { job, reply in
            let m = try ManifestStore.read(assetDir: job.path)
            // A generated variant goes only to the channels that take variants.
            let presets = m.variantOf == nil ? job.settings.presets : job.settings.generate.variantPresets(job.settings.presets)
            let result = try ExportStage.run(assetDir: job.path, manifest: m, presets: presets,
                                             memoryLimitMB: job.settings.workerMemoryMB, threads: job.settings.exportThreads)
            reply.outputs = result.outputs
            reply.exportIssues = result.issues
        },
        .variants: { job, reply in
            let m = try ManifestStore.read(assetDir: job.path)
            let made = GenerateStage.run(assetDir: job.path, manifest: m, settings: job.settings.generate,
                                         presets: job.settings.generate.variantPresets(job.settings.presets))
            reply.variants = made.variants
            reply.exportIssues = made.problems
        },
    ]

    static func perform(_ job: WorkerJob) -> WorkerReply {
        var reply = WorkerReply(seq: job.seq, ok: true)
        do {
            guard let work = stages[job.step] else {
                throw StepFailure("internal", "step \(job.step) does not run in a worker")
            }
            try work(job, &reply)
        } catch let f as StepFailure {
            reply.ok = false; reply.failure = f.recognisingFullDisk(step: job.step.rawValue)
        } catch {
            reply.ok = false
            reply.failure = DiskGuard.isOutOfSpace(error) ? .diskFull(step: job.step.rawValue, detail: "\(error)") : StepFailure("io_error", "\(error)")
        }
        return reply
    }
}
