import ControlProtocol
import Delivery
import Foundation
import Logging
import PipelineCore
import Review

public let photopipeVersion = "0.1.0"

/// The daemon's single owner of state. Every other thread only posts events to
/// the mailbox; this loop takes them, moves assets between directories, and
/// hands image work to worker processes. It never decodes an image.
public final class Supervisor {
    var config: Config
    /// The stages, in order; every queue, claim directory and dispatch rule comes from it.
    let pipeline: Pipeline
    let handlers: StageHandlers
    let clock: DaemonClock
    /// The binary whose `worker` subcommand runs image work (this one, unless a test says otherwise).
    let workerExecutable: String
    let configPath: String?
    let layout: Layout
    let mailbox = Mailbox()
    let log: Logger
    var events: EventLog?
    let reviewDesk: ReviewDesk
    var namePattern: NamePattern
    var catalog: Catalog?
    var catalogStamp: Int64?
    var lastCatalogCheck = Date.distantPast
    var filter: InboxFilter
    var settle: SettleTracker
    let notifier = Notifier()

    var workers: [Int: WorkerProcess] = [:]
    /// Busy workers started with settings a reload has since changed: replaced after their job.
    var retireAfterJob = Set<Int>()
    var running: [Int: RunningJob] = [:]
    var nextWorkerIndex = 0
    var nextSeq = 0
    var recentSpawns: [Date] = []

    /// Settled inbox files, oldest first; and assets waiting per step.
    var readyFiles = OrderedSet<String>()
    /// What each ready file looked like when it settled; checked again at claim time.
    var readySnapshots: [String: SettleTracker.Snapshot] = [:]
    var waiting: [Step: OrderedSet<String>] = [:]
    /// Every asset's place and summary, for answers that must not read the disk.
    var index: AssetIndex
    var lastSweep = Date.distantPast
    var lastSpawnAttempt = Date.distantPast
    var lockFD: Int32 = -1
    var reportedNotImage = Set<String>()
    /// Inbox files given up on; left alone until their size or mtime changes.
    var parked: [String: SettleTracker.Snapshot] = [:]

    var paused = false
    let disk: DiskWatch
    var stopping = false
    var stopDeadline: Date?
    var startedAt = Date.distantPast
    var lastError: String?
    var processed = 0
    var lastProgress = Date.distantPast
    let channelManifests: ChannelManifests
    /// Made on first use (the start), from the config in force.
    lazy var delivery = Deliveries(settings: config.delivery, layout: layout, clock: clock, mailbox: mailbox, log: log)
    /// Assets whose view moved while a worker exported them.
    var exportAgain = Set<String>()
    let sheets: ContactSheets
    var watcher: InboxWatcher?
    var server: ControlServer?

    struct RunningJob {
        let step: Step
        let claimPath: String
        let assetID: String?
        let inbox: InboxItem?
        let seq: Int
        let startedAt: Date
        var timedOut = false
    }

    struct InboxItem: Hashable {
        let batch: String
        let name: String
        let arrivedAt: Date
        /// The inbox folder the frame came from, where its XMP sidecar waits.
        var inboxDir: String?
    }

    init(config: Config, configPath: String?, logger: Logger, pipeline: Pipeline = .standard,
         handlers: StageHandlers = .standard, clock: DaemonClock = SystemClock(), workerExecutable: String? = nil) throws {
        self.config = config
        self.configPath = configPath
        self.pipeline = pipeline
        self.handlers = handlers
        self.clock = clock
        self.workerExecutable = workerExecutable ?? Supervisor.executable
        for stage in pipeline.stages.dropFirst() where stage.runner == .inline && handlers.inline[stage.step] == nil {
            throw DaemonError("stage \(stage.step) runs inline but has no handler")
        }
        self.layout = Layout(root: config.root, pipeline: pipeline)
        self.index = AssetIndex(reviewedQueues: Supervisor.reviewedQueues(pipeline))
        self.disk = DiskWatch(root: config.root, minFreeMB: config.minFreeMB)
        self.channelManifests = ChannelManifests(layout: layout, log: logger)
        self.sheets = ContactSheets(layout: layout, executable: self.workerExecutable, log: logger)
        self.log = logger
        self.reviewDesk = ReviewDesk(policy: ReviewPolicy(config))
        self.namePattern = try NamePattern(config.namePattern)
        self.filter = InboxFilter(extensions: config.imageExtensions)
        self.settle = SettleTracker(quiet: config.settleSeconds)
        if let path = config.catalogPath {
            do {
                catalog = try Catalog.load(path: path)
                catalogStamp = Supervisor.mtime(path)
            } catch { throw DaemonError("catalogue \(path): \(error)") }
        }
        for s in pipeline.steps { waiting[s] = OrderedSet() }
        // Before any thread starts: a decoder crash should end a worker at once, not spend
        // seconds in Swift's backtracer.
        setenv("SWIFT_BACKTRACE", "enable=no", 0)
        // Workers run under an address-space cap: few malloc arenas keep reserved-but-unused
        // virtual memory (64 MiB an arena) from counting against it.
        setenv("MALLOC_ARENA_MAX", "2", 0)
        let now = clock.now()
        (startedAt, lastCatalogCheck, lastSweep, lastProgress) = (now, now, now, now)
    }

    /// One daemon per root: a second one would reconcile the first one's work in flight.
    func lockRoot() throws {
        let path = "\(layout.root)/.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw DaemonError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DaemonError("another photopiped is already running on \(layout.root) (\(path) is locked)")
        }
        lockFD = fd
    }

    /// Start-up order: directories, reconcile, watches, socket, workers; then READY=1.
    public func run() throws -> Int32 {
        try layout.create()
        try lockRoot()
        if config.eventLog { events = try EventLog(path: layout.eventLog, maxBytes: config.eventLogMaxMB << 20) }
        reconcile(reason: "start")
        loadPendingDeliveries()
        let w = InboxWatcher(inbox: layout.dir(.inbox), mailbox: mailbox)
        try w.start()
        watcher = w
        scanInbox()
        let s = ControlServer(path: config.socketPath, mailbox: mailbox)
        try s.start(group: config.socketGroup)
        server = s
        installSignalHandlers()
        for _ in 0..<config.workers { spawnWorker() }
        notifier.ready()
        log.info("photopiped \(photopipeVersion) ready", metadata: ["root": "\(layout.root)", "socket": "\(config.socketPath)", "workers": "\(config.workers)"])
        record(Event(event: "daemon-started", detail: "version \(photopipeVersion)"))

        while true {
            let inlineWaiting = !holding && !stopping && pipeline.inlineStages.contains { !waiting[$0.step]!.isEmpty }
            let wait = inlineWaiting ? 0 : min(0.1, settle.secondsUntilNextDue(now: clock.now().timeIntervalSince1970) ?? 0.1)
            for e in mailbox.take(timeout: wait) { handle(e) }
            let now = clock.now()
            if stopping {
                // Uploads in flight are awaited too, so their records say what reached the target.
                if running.isEmpty && delivery.idle { break }
                if let d = stopDeadline, now >= d { abandonRunningJobs(); break }
                continue
            }
            tick(now)
        }
        shutdown()
        return 0
    }

    func handle(_ e: DaemonEvent) {
        switch e {
        case .inboxChanged(let path): inboxChanged(path)
        case .inboxDirectoryAdded(let path): scanInbox(under: path)
        case .inboxOverflow:
            log.warning("inotify queue overflowed; re-reading every directory")
            reconcile(reason: "overflow")
            scanInbox()
        case .watcherFailed(let why):
            lastError = "inbox watcher stopped: \(why)"
            log.error("\(lastError!)")
        case .workerLine(let worker, let line): workerReplied(worker, line)
        case .workerExited(let worker, let status): workerExited(worker, status)
        case .control(let request, let peer, let slot): slot.fulfil(control(request, peer))
        case .signal(let sig): signalled(sig)
        case .delivered(let outcome): deliveryFinished(outcome)
        }
    }

    func tick(_ now: Date) {
        if now.timeIntervalSince(lastCatalogCheck) >= 2 {
            lastCatalogCheck = now
            reloadCatalogIfChanged()
        }
        settleInbox(now)
        enforceTimeouts(now)
        if workers.count < config.workers && now.timeIntervalSince(lastSpawnAttempt) >= 1 {
            lastSpawnAttempt = now
            spawnWorker()
        }
        if now.timeIntervalSince(lastSweep) >= 60 {
            // Anything an error path left claimed, or an event that never came, is picked up here.
            lastSweep = now
            reconcile(reason: "sweep")
            scanInbox()
        }
        diskChanged(disk.check(now: now))
        if !holding {
            runInlineSteps()
            dispatch()
        }
        if let failure = channelManifests.flushIfDue(now: now, config: config) { lastError = failure }
        if !paused { serviceDeliveries(now) }
        serviceContactSheets(now)
        notifier.status(statusLine())
        notifier.watchdog(healthy: healthy(now))
    }

    /// A stuck pipeline stops the watchdog: work is waiting or running, yet nothing was
    /// dispatched or finished for twice the per-asset timeout (no workers, a wedged loop).
    func healthy(_ now: Date) -> Bool {
        let waitingWork = !readyFiles.isEmpty || waiting.values.contains { !$0.isEmpty }
        let busy = !running.isEmpty || (waitingWork && !holding)
        if !busy { lastProgress = now; return true }
        return now.timeIntervalSince(lastProgress) < 2 * config.assetTimeoutSeconds + 10
    }

    func reconcile(reason: String) {
        let inFlight = Set(running.values.map(\.claimPath))
        let report = Reconciler(layout: layout).run(inFlight: inFlight)
        for p in report.problems { log.error("reconcile: \(p)") }
        let changed = report.returnedFiles + report.returnedAssets + report.finishedStaging + report.discardedStaging + report.quarantined
        if changed > 0 {
            log.notice("reconcile (\(reason)): \(report.returnedFiles) files back to the inbox, \(report.returnedAssets) assets back to their queue, \(report.finishedStaging) ingests finished, \(report.discardedStaging) half-made assets discarded, \(report.quarantined) quarantined")
        }
        if changed > 0 || reason != "sweep" {
            record(Event(event: "reconcile", detail: "\(reason): returned \(report.returnedFiles) files, \(report.returnedAssets) assets"))
        }
        if reason == "start" { buildIndex() } else { syncIndex() }
        for stage in pipeline.stages.dropFirst() {
            for e in index.entries(in: stage.source) where e.inProgress == nil { waiting[stage.step]!.append(e.key) }
        }
    }

    func record(_ e: Event) { events?.append(e) }

    var resolver: SkuResolver { SkuResolver(sources: config.skuSources, pattern: namePattern, catalog: catalog) }

    static func mtime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// The catalogue file changed: load it; a bad file is refused (line named) and the old one kept.
    @discardableResult
    func reloadCatalogIfChanged(force: Bool = false) -> String? {
        guard let path = config.catalogPath else { catalog = nil; catalogStamp = nil; return nil }
        let stamp = Supervisor.mtime(path)
        guard force || stamp != catalogStamp else { return nil }
        catalogStamp = stamp
        do {
            let fresh = try Catalog.load(path: path)
            catalog = fresh
            log.notice("catalogue loaded: \(fresh.count) SKUs from \(path)")
            record(Event(event: "catalog-loaded", detail: "\(fresh.count) SKUs"))
            return nil
        } catch {
            let why = "catalogue \(path) refused, the previous one stays in use: \(error)"
            lastError = why
            log.error("\(why)")
            return why
        }
    }

    func signalled(_ sig: Int32) {
        switch sig {
        case SIGHUP:
            _ = reload()
        default:
            if stopping { return }
            stopping = true
            stopDeadline = clock.now().addingTimeInterval(min(60, config.assetTimeoutSeconds))
            notifier.stopping()
            watcher?.stop()
            log.notice("stopping: finishing \(running.count) assets in flight, taking no new work")
        }
    }

    /// Past the stop deadline: kill the workers; reconcile on the next start puts their assets back.
    func abandonRunningJobs() {
        log.warning("stop deadline reached; \(running.count) assets go back to their queues")
        for (i, _) in running { workers[i]?.kill() }
        running.removeAll()
        _ = Reconciler(layout: layout).run()
    }

    /// Nothing the daemon started outlives it: the contact-sheet writer is ended and reaped, and
    /// the workers, told to finish by closing their input, are waited for (killed after 10 s).
    func shutdown() {
        channelManifests.flush(now: clock.now(), config: config)
        server?.stop()
        sheets.stop()
        for w in workers.values { w.closeInput() }
        workers.removeAll()
        let killed = WorkerProcess.waitForAllToExit(timeout: 10)
        if killed > 0 { log.warning("\(killed) workers did not exit when asked and were killed") }
        record(Event(event: "daemon-stopped"))
        log.info("stopped")
    }

    func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let mb = mailbox
            source.setEventHandler { mb.post(.signal(sig)) }
            source.resume()
            signalSources.append(source)
        }
    }
    var signalSources: [DispatchSourceSignal] = []

    /// No new work starts: a person paused the daemon, or the disk is full.
    var holding: Bool { paused || disk.full }

    func statusLine() -> String {
        let queued = readyFiles.count + waiting.values.reduce(0) { $0 + $1.count }
        return "queued \(queued), running \(running.count), inbox settling \(settle.count), done \(processed)\(paused ? ", paused" : "")\(disk.full ? ", disk full" : "")"
    }
}

/// Insertion-ordered set: a FIFO queue that ignores repeats.
struct OrderedSet<T: Hashable> {
    private var queue: [T] = []
    private var head = 0
    private var members = Set<T>()

    var count: Int { members.count }
    var isEmpty: Bool { members.isEmpty }
    func contains(_ x: T) -> Bool { members.contains(x) }

    mutating func append(_ x: T) {
        if members.insert(x).inserted { queue.append(x) }
    }

    mutating func popFirst() -> T? {
        while head < queue.count {
            let x = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            if members.remove(x) != nil { return x }
        }
        return nil
    }

    mutating func remove(_ x: T) { members.remove(x) }

    /// The members, oldest first.
    var ordered: [T] { queue[head...].filter { members.contains($0) } }
}
