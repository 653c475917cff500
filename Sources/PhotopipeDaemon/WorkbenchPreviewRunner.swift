import Foundation
import PipelineCore

extension WorkbenchPreview {
    /// Previews for the daemon's web server, asked from a request thread (it blocks, never on the
    /// main loop). A cached preview is answered with two stats; otherwise a `photopiped preview`
    /// child renders it (at most `concurrency` at once), killed when it runs past the timeout.
    public final class Runner: @unchecked Sendable { // immutable but for the semaphore, which is thread-safe
        /// The child's address-space cap: a 200 MP original decodes into about 600 MB.
        public static let memoryMB = 1536

        public let executable: String
        public let preview: WorkbenchPreview
        private let slots: DispatchSemaphore

        public init(executable: String, root: String, concurrency: Int = 2) {
            self.executable = executable
            preview = WorkbenchPreview(root: root)
            slots = DispatchSemaphore(value: max(1, concurrency))
        }

        /// The preview's path. Throws a `Failure` with the child's own words when it failed, or
        /// when waiting for a free slot and the child together took longer than `timeout` seconds.
        public func make(asset: String, assetDir: String, kind: Kind, timeout: Double = 10) throws -> String {
            let path = try preview.cachePath(asset: asset, assetDir: assetDir, kind: kind)
            if FileOps.exists(path) { return path }
            let deadline = DispatchTime.now() + timeout
            guard slots.wait(timeout: deadline) == .success else {
                throw Failure("no preview of \(asset) within \(timeout) s: other previews are being made")
            }
            defer { slots.signal() }
            if FileOps.exists(path) { return path } // made while this request waited
            return try runChild(asset: asset, assetDir: assetDir, kind: kind, deadline: deadline, timeout: timeout)
        }

        private func runChild(asset: String, assetDir: String, kind: Kind, deadline: DispatchTime, timeout: Double) throws -> String {
            let process = Foundation.Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["preview", "--root", preview.root, "--asset-dir", assetDir, "--asset", asset] + kind.clamped.arguments
                + ["--memory-mb", "\(Self.memoryMB)", "--parent", "\(getpid())"]
            // The child says one line on either stream, well inside a pipe's buffer: read after it exits.
            let out = Pipe(), err = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            do { try process.run() }
            catch { throw Failure("cannot start \(executable) preview: \(error)") }
            if exited.wait(timeout: deadline) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
                throw Failure("the preview of \(asset) took longer than \(timeout) s and was stopped")
            }
            let said = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let complaint = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if process.terminationReason == .uncaughtSignal {
                throw Failure("the preview of \(asset) died (signal \(process.terminationStatus))\(complaint.isEmpty ? "" : ": \(complaint)")")
            }
            guard process.terminationStatus == 0 else {
                throw Failure(complaint.isEmpty ? "the preview of \(asset) failed (exit \(process.terminationStatus))" : complaint)
            }
            guard !said.isEmpty, FileOps.exists(said) else { throw Failure("the preview child named no file for \(asset): \(said)") }
            return said
        }
    }
}
