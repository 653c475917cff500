import Foundation
import Logging
import PipelineCore

/// The worker processes: starting and replacing them, handing each idle one a job, matching
/// replies to jobs, timeouts. Which job comes next is the caller's (the scheduler's) choice.
final class WorkerPool {
    /// A job a worker is on.
    struct Job {
        let step: Step
        let claimPath: String
        let assetID: String?
        let inbox: Intake.Item?
        let seq: Int
        let startedAt: Date
        var timedOut = false
    }

    /// What the scheduler hands out: a claimed asset (or inbox file) for a step.
    struct Assignment {
        let step: Step
        let claim: String
        let assetID: String?
        let inbox: Intake.Item?
    }

    private struct Limits: Equatable {
        var count: Int
        var memoryMB: Int
        var vipsThreads: Int
        init(_ c: Config) { (count, memoryMB, vipsThreads) = (c.workers, c.workerMemoryMB, c.vipsThreads) }
    }

    private let executable: String
    private let mailbox: Mailbox
    private let clock: DaemonClock
    private let log: Logger
    private let reportError: (String) -> Void
    private var limits: Limits
    private var workers: [Int: WorkerProcess] = [:]
    private var running: [Int: Job] = [:]
    /// Workers started again after one ended (a crash, a kill, a memory blow-up, a retirement).
    private(set) var restarts = 0
    /// Busy workers started with limits a reload has since changed: replaced after their job.
    private var retireAfterJob = Set<Int>()
    private var nextIndex = 0
    private var nextSeq = 0
    private var recentSpawns: [Date] = []
    private var lastSpawnAttempt = Date.distantPast

    init(executable: String, config: Config, mailbox: Mailbox, clock: DaemonClock, log: Logger,
         reportError: @escaping (String) -> Void) {
        self.executable = executable
        self.mailbox = mailbox
        self.clock = clock
        self.log = log
        self.reportError = reportError
        limits = Limits(config)
    }

    var busy: Int { running.count }
    var idle: Int { max(0, workers.count - running.count) }
    var jobs: Dictionary<Int, Job>.Values { running.values }

    func start() {
        while workers.count < limits.count { spawn() }
    }

    /// A failed start is tried again at most once a second.
    func keepFull(now: Date) {
        guard workers.count < limits.count, now.timeIntervalSince(lastSpawnAttempt) >= 1 else { return }
        lastSpawnAttempt = now
        spawn()
    }

    /// Workers take their memory cap and thread count at start: after a reload that changes
    /// them, idle workers are replaced now and busy ones after their job. The pool then takes
    /// its new size (idle extras retired).
    func reload(_ config: Config) {
        let fresh = Limits(config)
        let restart = fresh.memoryMB != limits.memoryMB || fresh.vipsThreads != limits.vipsThreads
        limits = fresh
        if restart {
            for index in workers.keys.sorted() {
                if running[index] == nil { workers.removeValue(forKey: index) } else { retireAfterJob.insert(index) }
            }
        }
        while workers.count < limits.count { spawn() }
        for index in workers.keys.sorted().reversed() where workers.count > limits.count && running[index] == nil {
            workers.removeValue(forKey: index)?.closeInput()
        }
    }

    /// Gives every idle worker the next job `next` hands out, until it has none.
    func dispatch(root: String, settings: JobSettings, next: () -> Assignment?) {
        for index in workers.keys.sorted() where running[index] == nil {
            guard let worker = workers[index], let a = next() else { return }
            nextSeq += 1
            running[index] = Job(step: a.step, claimPath: a.claim, assetID: a.assetID, inbox: a.inbox,
                                 seq: nextSeq, startedAt: clock.now())
            let work = WorkerJob(seq: nextSeq, step: a.step, path: a.claim, root: root, settings: settings)
            if !worker.send(work) { worker.kill() } // its exit event puts the job back
        }
    }

    /// The job a reply finishes, or nil for a stale or unreadable line (an unreadable one costs
    /// the worker its life; its exit then returns the job).
    func replied(_ index: Int, _ line: Data) -> (job: Job, reply: WorkerReply)? {
        guard let reply = try? ManifestStore.decoder().decode(WorkerReply.self, from: line), reply.isWellFormed else {
            log.error("worker \(index) sent an unreadable line; replacing it")
            workers[index]?.kill()
            return nil
        }
        guard let job = running[index], job.seq == reply.seq else { return nil }
        running[index] = nil
        if reply.retiring == true || retireAfterJob.remove(index) != nil {
            workers.removeValue(forKey: index)
        }
        return (job, reply)
    }

    /// A worker ended: the job it was on, if any. The pool is refilled unless the daemon is stopping.
    func exited(_ index: Int, refill: Bool) -> Job? {
        workers[index] = nil // releases the process object, closing its stdin pipe
        retireAfterJob.remove(index)
        let job = running.removeValue(forKey: index)
        // A pool shrunk by reload is not refilled; a failed start is retried from keepFull.
        if refill && workers.count < limits.count { restarts += 1; spawn() }
        return job
    }

    /// Kills workers past `limit` seconds on one job; their exit reports the job as timed out.
    func enforceTimeouts(now: Date, limit: Double) {
        for (index, job) in running where !job.timedOut && now.timeIntervalSince(job.startedAt) > limit {
            running[index]?.timedOut = true
            workers[index]?.kill()
        }
    }

    /// Past the stop deadline: every busy worker is killed and its job forgotten (reconcile returns it).
    func abandonRunningJobs() {
        for index in running.keys { workers[index]?.kill() }
        running.removeAll()
    }

    /// Workers are told to finish by closing their input and waited for; those that do not
    /// exit within 10 s are killed. Returns how many were.
    func stop() -> Int {
        for w in workers.values { w.closeInput() }
        workers.removeAll()
        return WorkerProcess.waitForAllToExit(timeout: 10)
    }

    private func spawn() {
        let now = clock.now()
        recentSpawns = recentSpawns.filter { now.timeIntervalSince($0) < 10 } + [now]
        if recentSpawns.count > 20 { log.warning("workers are dying fast (\(recentSpawns.count) starts in 10 s)") }
        let index = nextIndex
        nextIndex += 1
        do {
            workers[index] = try WorkerProcess(
                index: index, executable: executable,
                arguments: ["worker", "--memory-mb", "\(limits.memoryMB)", "--vips-threads", "\(limits.vipsThreads)",
                            "--parent", "\(getpid())"],
                mailbox: mailbox)
        } catch {
            reportError("\(error)")
            log.error("\(error)")
        }
    }
}
