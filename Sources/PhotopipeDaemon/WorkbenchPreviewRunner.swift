import Foundation
import PipelineCore

extension WorkbenchPreview {
    /// Previews for the daemon's web server, asked from a request thread (it blocks, never on the
    /// main loop). A cached preview is answered with two stats; otherwise a serving
    /// `photopiped preview` child renders it (at most `concurrency` at once). A child is kept for
    /// the next question until it has been idle `idleSeconds`; one that runs past the timeout is
    /// killed, one that dies is replaced at the next question.
    public final class Runner: @unchecked Sendable { // `idle`, `busy` and `retirementPending` are guarded by `lock`; the rest is immutable
        /// The child's address-space cap: a 200 MP original decodes into about 600 MB.
        public static let memoryMB = 1536

        public let executable: String
        public let preview: WorkbenchPreview
        public let idleSeconds: Double
        private let slots: DispatchSemaphore
        private let lock = NSLock()
        private var idle: [Child] = []
        /// Children asked a question (or starting) now.
        private var busy = 0
        private var retirementPending = false

        public init(executable: String, root: String, concurrency: Int = 2, idleSeconds: Double = 300) {
            self.executable = executable
            preview = WorkbenchPreview(root: root)
            self.idleSeconds = idleSeconds
            slots = DispatchSemaphore(value: max(1, concurrency))
        }

        deinit { for child in idle { child.stop() } }

        /// The process ids of the children waiting for a question.
        public var idleChildren: [Int32] { lock.withLock { idle.map(\.pid) } }

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
            let child = try takeChild()
            let answer: Answer
            do {
                answer = try child.answer(Question(assetDir: assetDir, asset: asset, kind: kind.clamped), deadline: deadline, timeout: timeout)
            } catch {
                drop(child)
                throw error
            }
            giveBack(child)
            if let error = answer.error { throw Failure(error) }
            guard let made = answer.path, FileOps.exists(made) else {
                throw Failure("the preview child named no file for \(asset): \(answer.path ?? "")")
            }
            return made
        }

        /// Has a child ready for the first question, when none is: the batch page calls this, so
        /// the reviewer's first zoom does not wait for a process to start. An idle one is kept
        /// longer instead.
        public func warm() {
            let start = lock.withLock { () -> Bool in
                if let child = idle.last { child.lastUsed = .now(); return false }
                guard busy == 0 else { return false }
                busy += 1
                return true
            }
            guard start else { return scheduleRetirement() }
            DispatchQueue.global().async { [self] in
                if let child = try? Child(executable: executable, root: preview.root, memoryMB: Self.memoryMB) { giveBack(child) }
                else { lock.withLock { busy -= 1 } }
            }
        }

        /// Stops every idle child (one busy now goes when its question is answered and it idles).
        public func stopIdle() {
            let gone = lock.withLock { () -> [Child] in defer { idle = [] }; return idle }
            for child in gone { child.stop() }
        }

        private func takeChild() throws -> Child {
            var dead: [Child] = []
            defer { for child in dead { child.kill() } }
            let found = lock.withLock { () -> Child? in
                busy += 1
                // One that died while idle (the OOM killer, a stray kill) is dropped, not asked.
                while let child = idle.popLast() {
                    if child.isRunning { return child }
                    dead.append(child)
                }
                return nil
            }
            if let found { return found }
            do { return try Child(executable: executable, root: preview.root, memoryMB: Self.memoryMB) }
            catch { lock.withLock { busy -= 1 }; throw error }
        }

        private func giveBack(_ child: Child) {
            lock.withLock { child.lastUsed = .now(); idle.append(child); busy -= 1 }
            scheduleRetirement()
        }

        /// After a child failed: it is gone, not given back.
        private func drop(_ child: Child) {
            child.kill()
            lock.withLock { busy -= 1 }
        }

        /// One check at a time is pending, when the child idle longest is due (the page asks to
        /// warm at every live update: a check each time would pile up).
        private func scheduleRetirement() {
            let due = lock.withLock { () -> DispatchTime? in
                guard !retirementPending, let oldest = idle.map(\.lastUsed).min() else { return nil }
                retirementPending = true
                return oldest + idleSeconds
            }
            guard let due else { return }
            DispatchQueue.global().asyncAfter(deadline: due) { [weak self] in self?.retireIdle() }
        }

        private func retireIdle() {
            let now = DispatchTime.now().uptimeNanoseconds
            let gone = lock.withLock { () -> [Child] in
                retirementPending = false
                let old = idle.filter { Double(now &- $0.lastUsed.uptimeNanoseconds) / 1e9 >= idleSeconds - 0.01 }
                idle.removeAll { child in old.contains { $0 === child } }
                return old
            }
            for child in gone { child.stop() }
            scheduleRetirement()
        }
    }
}
