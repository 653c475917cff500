import CSystem
import Foundation
import PipelineCore

/// One `photopiped worker` child: jobs go down its stdin, replies come up its
/// stdout, one JSON line each. A reader thread turns its output and its exit
/// into mailbox events, so a crash is just another event for the supervisor.
final class WorkerProcess {
    let index: Int
    let pid: pid_t
    private var toWorker: Int32
    private let latch = ExitLatch()
    let startedAt = Date()

    init(index: Int, executable: String, arguments: [String], mailbox: Mailbox) throws {
        var down: [Int32] = [0, 0], up: [Int32] = [0, 0]
        guard pp_pipe_cloexec(&down) == 0, pp_pipe_cloexec(&up) == 0 else {
            throw DaemonError("cannot create worker pipes: \(String(cString: strerror(errno)))")
        }
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cargv: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        let pid = pp_spawn(executable, &cargv, down[0], up[1])
        close(down[0]); close(up[1])
        guard pid > 0 else {
            close(down[1]); close(up[0])
            throw DaemonError("cannot start a worker (\(executable)): \(String(cString: strerror(errno)))")
        }
        self.index = index
        self.pid = pid
        self.toWorker = down[1]
        let readFD = up[0]
        let latch = self.latch
        LiveWorkers.shared.add(pid, latch)
        let t = Thread {
            WorkerProcess.readReplies(fd: readFD, worker: index, pid: pid, latch: latch, mailbox: mailbox)
        }
        t.name = "worker-\(index)-reader"
        t.start()
    }

    /// Sends one job line. A worker that died mid-write shows up as an exit event.
    func send(_ job: WorkerJob) -> Bool {
        guard let line = try? ControlLine.encode(job) else { return false }
        return line.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(toWorker, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    /// SIGKILL, unless the process is already reaped (its pid may belong to someone else by then).
    func kill() { latch.ifRunning { _ = Glibc.kill(pid, SIGKILL) } }

    /// Closing stdin asks the worker to finish and exit.
    func closeInput() {
        if toWorker >= 0 { close(toWorker); toWorker = -1 }
    }

    deinit { closeInput() }

    private static func readReplies(fd: Int32, worker: Int, pid: pid_t, latch: ExitLatch, mailbox: Mailbox) {
        var pending = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buf[0..<n])
            while let nl = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<nl]
                pending = Data(pending[(nl + 1)...])
                if !line.isEmpty { mailbox.post(.workerLine(worker: worker, line: Data(line))) }
            }
        }
        close(fd)
        // Wait for the exit without reaping, then reap under the latch, so kill() never hits a recycled pid.
        _ = pp_wait_exited(pid)
        var status: Int32 = 0
        latch.markExited { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        LiveWorkers.shared.remove(pid)
        mailbox.post(.workerExited(worker: worker, status: status))
    }

    /// For a stopping daemon: waits until every worker ever started has exited and been reaped,
    /// SIGKILLing those still there after `timeout`. Returns how many had to be killed.
    static func waitForAllToExit(timeout: TimeInterval) -> Int {
        if LiveWorkers.shared.wait(until: Date().addingTimeInterval(timeout)) { return 0 }
        let killed = LiveWorkers.shared.killAll()
        _ = LiveWorkers.shared.wait(until: Date().addingTimeInterval(5))
        return killed
    }
}

/// Every worker process not yet reaped (including ones retired from the pool), so the daemon
/// can wait for all of them before it exits.
final class LiveWorkers: @unchecked Sendable {
    static let shared = LiveWorkers()
    private let cond = NSCondition()
    private var live: [pid_t: ExitLatch] = [:]

    func add(_ pid: pid_t, _ latch: ExitLatch) {
        cond.lock(); live[pid] = latch; cond.unlock()
    }

    func remove(_ pid: pid_t) {
        cond.lock(); live[pid] = nil; cond.broadcast(); cond.unlock()
    }

    /// True once none is left; false at the deadline.
    func wait(until deadline: Date) -> Bool {
        cond.lock(); defer { cond.unlock() }
        while !live.isEmpty {
            if !cond.wait(until: deadline) { return live.isEmpty }
        }
        return true
    }

    func killAll() -> Int {
        cond.lock(); let all = live; cond.unlock()
        for (pid, latch) in all { latch.ifRunning { _ = Glibc.kill(pid, SIGKILL) } }
        return all.count
    }
}

/// Whether a worker process has been reaped; guards kill() against pid reuse.
final class ExitLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false

    func ifRunning(_ body: () -> Void) {
        lock.lock(); defer { lock.unlock() }
        if !exited { body() }
    }

    func markExited(_ reap: () -> Void) {
        lock.lock(); defer { lock.unlock() }
        reap()
        exited = true
    }
}

public enum ControlLine {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.dateEncodingStrategy = Timestamps.encoding
        var d = try e.encode(value)
        d.append(0x0A)
        return d
    }
}

/// Describes how a worker ended, for error.json and the log.
func describeExit(_ status: Int32) -> (code: String, text: String) {
    let sig = status & 0x7f
    if sig == 0 { return ("worker_exited", "the worker exited with status \((status >> 8) & 0xff)") }
    let name: String
    switch sig {
    case SIGKILL: name = "SIGKILL"
    case SIGSEGV: name = "SIGSEGV (a decoder crashed)"
    case SIGABRT: name = "SIGABRT (the image library aborted, often on an impossible allocation)"
    case SIGBUS: name = "SIGBUS"
    default: name = "signal \(sig)"
    }
    return ("worker_crashed", "the worker was killed by \(name)")
}
