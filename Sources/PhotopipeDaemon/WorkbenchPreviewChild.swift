import Foundation

extension WorkbenchPreview {
    /// One `photopiped preview --serve` process, asked one question at a time. Starting a process
    /// that links libvips costs more than cutting a crop, so a child serves many; decoding stays out
    /// of the daemon. Its stderr is drained as it comes (a chatty child never blocks on a full
    /// pipe) and the end of it kept for the message when it dies.
    final class Child: @unchecked Sendable { // used by one request thread at a time; `tail` has its own lock
        let pid: Int32
        /// When it last answered; set by the runner, which hands it to one thread at a time.
        var lastUsed = DispatchTime.now()
        private let process: Process
        private let ask: FileHandle
        private let answers: FileHandle
        private var pending = [UInt8]()
        private let tail = Tail()
        private let exited = DispatchSemaphore(value: 0)

        init(executable: String, root: String, memoryMB: Int) throws {
            // Writing to a child that died would otherwise kill the asking process.
            signal(SIGPIPE, SIG_IGN)
            process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["preview", "--serve", "--root", root, "--memory-mb", "\(memoryMB)", "--parent", "\(getpid())"]
            // One malloc arena: libvips' threads would each keep one, and a long-lived child grows
            // to twice the size (measured: 155 MB instead of 72 MB resident after 100 crops).
            var environment = ProcessInfo.processInfo.environment
            environment["MALLOC_ARENA_MAX"] = "1"
            process.environment = environment
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            process.terminationHandler = { [exited] _ in exited.signal() }
            do { try process.run() }
            catch { throw Failure("cannot start \(executable) preview: \(error)") }
            pid = process.processIdentifier
            ask = input.fileHandleForWriting
            answers = output.fileHandleForReading
            let stderr = errors.fileHandleForReading, tail = self.tail
            Thread.detachNewThread {
                while let data = readSome(stderr.fileDescriptor) { tail.append(data) }
                tail.finish()
                _ = stderr // open until the end is read
            }
        }

        /// Alive and not a zombie: Foundation notices an exit a little after the kernel does.
        var isRunning: Bool {
            guard process.isRunning, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[close...].dropFirst(2).first != "Z"
        }

        /// The child's answer to one question, or a `Failure` when it did not answer by `deadline`
        /// (it is killed then) or died first. After a failure the child is not asked again.
        func answer(_ question: Question, deadline: DispatchTime, timeout: Double) throws -> Answer {
            var line = try JSONEncoder().encode(question)
            line.append(0x0A)
            let sent = line.withUnsafeBytes { raw -> Bool in
                var at = 0
                while at < raw.count {
                    let n = Foundation.write(ask.fileDescriptor, raw.baseAddress! + at, raw.count - at)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    at += n
                }
                return true
            }
            guard sent else { throw died(question.asset) }
            switch readLine(until: deadline) {
            case .line(let text):
                guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(text.utf8)) else {
                    kill()
                    throw Failure("the preview child answered nonsense for \(question.asset): \(text.prefix(200))")
                }
                return answer
            case .end:
                throw died(question.asset)
            case .late:
                kill()
                throw Failure("the preview of \(question.asset) took longer than \(timeout) s and was stopped")
            }
        }

        /// Asks it to go (it has nothing half-done when idle).
        func stop() {
            try? ask.close()
            if process.isRunning { Foundation.kill(pid, SIGTERM) }
        }

        func kill() {
            if process.isRunning { Foundation.kill(pid, SIGKILL) }
            _ = waitExited(2)
            try? ask.close()
        }

        /// Whether it has exited, waiting at most `seconds`; asked again, answers at once.
        private func waitExited(_ seconds: Double) -> Bool {
            guard exited.wait(timeout: .now() + seconds) == .success else { return false }
            exited.signal()
            return true
        }

        /// Why it stopped answering, in its own last words.
        private func died(_ asset: String) -> Failure {
            if !waitExited(2) { kill() }
            let said = tail.text(waiting: 1)
            let how = process.terminationReason == .uncaughtSignal ? "died (signal \(process.terminationStatus))"
                                                                   : "stopped (exit \(process.terminationStatus))"
            return Failure("the preview of \(asset) failed: the child \(how)\(said.isEmpty ? "" : ": \(said)")")
        }

        private enum Read { case line(String), end, late }

        private func readLine(until deadline: DispatchTime) -> Read {
            while true {
                if let nl = pending.firstIndex(of: 0x0A) {
                    let text = String(decoding: pending[..<nl], as: UTF8.self)
                    pending.removeSubrange(...nl)
                    return .line(text)
                }
                let left = Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
                guard left > 0 else { return .late }
                var fd = pollfd(fd: answers.fileDescriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&fd, 1, Int32(min(left / 1_000_000 + 1, Int64(Int32.max))))
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 { continue }
                guard let data = readSome(answers.fileDescriptor) else { return .end }
                pending.append(contentsOf: data)
            }
        }
    }

    /// The last few KiB a child wrote to stderr.
    final class Tail: @unchecked Sendable { // guarded by `lock`
        static let keep = 4096
        private let lock = NSLock()
        private var bytes = [UInt8]()
        private let ended = DispatchSemaphore(value: 0)

        func append(_ data: [UInt8]) {
            lock.lock(); defer { lock.unlock() }
            bytes.append(contentsOf: data)
            if bytes.count > Self.keep { bytes.removeFirst(bytes.count - Self.keep) }
        }

        func finish() { ended.signal() }

        /// What was kept, once the stream ended or `seconds` passed.
        func text(waiting seconds: Double) -> String {
            if ended.wait(timeout: .now() + seconds) == .success { ended.signal() }
            lock.lock(); defer { lock.unlock() }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
