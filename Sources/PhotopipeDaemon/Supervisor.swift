import ControlProtocol
import Delivery
import Foundation
import Logging
import PipelineCore
import Review
import Workbench


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
    /// What `photopiped run --root/--socket` set over the config file; a reload keeps them.
    public var commandLineOverrides = ConfigOverrides()
    let layout: Layout
    let mailbox = Mailbox()
    let log: Logger
    let events = EventRecorder()
    let reviewDesk: ReviewDesk
    var namePattern: NamePattern
    var catalog: Catalog?
    var catalogStamp: Int64?
    var lastCatalogCheck = Date.distantPast
    let notifier = Notifier()
    let intake: Intake
    var pool: WorkerPool!
    var scheduler: Scheduler
    /// Every asset's place and summary, for answers that must not read the disk.
    var index: AssetIndex
    var lastSweep = Date.distantPast
    var lockFD: Int32 = -1
    /// Failed attempts per variant job (by source id), until it is given up on.
    var variantAttempts: [String: Int] = [:]

    var paused = false
    let disk: DiskWatch
    var stopping = false
    var stopDeadline: Date?
    var startedAt = Date.distantPast
    var lastError: String?
    var processed = 0
    var lastProgress = Date.distantPast
    var lastStatusLine = Date.distantPast
    /// `[notify]`: what has been told, and the sender.
    lazy var notices = NoticePolicy(settings: config.notify)
    lazy var noticeSender = NoticeSender(settings: config.notify, log: log)
    var lastNoticeCheck = Date.distantPast
    let channelManifests: ChannelManifests
    /// Made on first use (the start), from the config in force.
    lazy var delivery = Deliveries(settings: config.delivery, layout: layout, clock: clock, mailbox: mailbox, log: log,
                                   record: { [events] in events.record($0) })
    /// Assets whose view moved while a worker exported them.
    var exportAgain = Set<String>()
    let sheets: ContactSheets
    var watcher: InboxWatcher?
    var server: ControlServer?
    /// The workbench (`[web]`): its listener, the live-update streams, the logged-in people
    /// (kept across reloads), and what `/metrics` counts as it happens.
    var web: WebServer?
    let webHub = WebEventHub()
    lazy var webSessions = SessionStore(settings: config.web)
    let webThrottle = LoginThrottle()
    /// The preview children, kept across reloads of `[web]` (a new router keeps using them).
    lazy var previewRunner = WorkbenchPreview.Runner(executable: workerExecutable, root: layout.root)
    var metrics = DaemonMetrics()

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
        self.scheduler = Scheduler(pipeline: pipeline)
        self.intake = Intake(root: layout.dir(.inbox), claimRoot: layout.work(.ingest), config: config, clock: clock, log: logger,
                             record: { [events] in events.record($0) })
        if let path = config.catalogPath {
            do {
                catalog = try Catalog.load(path: path)
                catalogStamp = Supervisor.mtime(path)
            } catch { throw DaemonError("catalogue \(path): \(error)") }
        }
        // Before any thread starts: a decoder crash should end a worker at once, not spend
        // seconds in Swift's backtracer.
        setenv("SWIFT_BACKTRACE", "enable=no", 0)
        // Workers run under an address-space cap: few malloc arenas keep reserved-but-unused
        // virtual memory (64 MiB an arena) from counting against it.
        setenv("MALLOC_ARENA_MAX", "2", 0)
        let now = clock.now()
        (startedAt, lastCatalogCheck, lastSweep, lastProgress) = (now, now, now, now)
        pool = WorkerPool(executable: self.workerExecutable, config: config, mailbox: mailbox, clock: clock, log: logger,
                          reportError: { [unowned self] in self.lastError = $0 })
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

    /// Starts every phase in order, runs the main loop until a stop, then stops the phases in
    /// reverse. A phase that fails to start stops those already started.
    public func run() throws -> Int32 {
        var started: [StartupPhase] = []
        do {
            for phase in phases {
                try phase.start()
                started.append(phase)
            }
        } catch {
            for phase in started.reversed() { phase.stop() }
            throw error
        }
        notifier.ready()
        log.info("photopiped \(photopipeVersion) ready", metadata: ["root": "\(layout.root)", "socket": "\(config.socketPath)", "workers": "\(config.workers)"])
        record(Event(event: "daemon-started", detail: "version \(photopipeVersion)"))

        while true {
            let inlineWaiting = !holding && !stopping && scheduler.hasInlineWork
            let wait = inlineWaiting ? 0 : min(0.1, intake.secondsUntilNextDue(now: clock.now()) ?? 0.1)
            for e in mailbox.take(timeout: wait) { handle(e) }
            let now = clock.now()
            if stopping {
                // Uploads in flight are awaited too, so their records say what reached the target.
                if pool.busy == 0 && delivery.idle { break }
                if let d = stopDeadline, now >= d { abandonRunningJobs(); break }
                continue
            }
            tick(now)
        }
        for phase in started.reversed() { phase.stop() }
        log.info("stopped")
        return 0
    }

    func handle(_ e: DaemonEvent) {
        switch e {
        case .inboxChanged(let path): intake.changed(path)
        case .inboxDirectoryAdded(let path): intake.scan(under: path)
        case .inboxOverflow:
            log.warning("inotify queue overflowed; re-reading every directory")
            reconcile(reason: "overflow")
            intake.scan()
        case .watcherFailed(let why):
            lastError = "inbox watcher stopped: \(why)"
            log.error("\(lastError!)")
        case .workerLine(let worker, let line): workerReplied(worker, line)
        case .workerExited(let worker, let status): workerExited(worker, status)
        case .control(let request, let peer, let slot) where request.command == .report: report(request, peer, slot)
        case .control(let request, let peer, let slot): slot.fulfil(control(request, peer))
        case .signal(let sig): signalled(sig)
        case .delivered(let outcome): deliveryFinished(outcome)
        case .mainLoop(let task): task.run(self)
        }
    }

    func tick(_ now: Date) {
        if now.timeIntervalSince(lastCatalogCheck) >= 2 {
            lastCatalogCheck = now
            reloadCatalogIfChanged()
        }
        intake.settleDue(now: now)
        pool.enforceTimeouts(now: now, limit: config.assetTimeoutSeconds)
        pool.keepFull(now: now)
        if now.timeIntervalSince(lastSweep) >= 60 {
            // Anything an error path left claimed, or an event that never came, is picked up here.
            lastSweep = now
            reconcile(reason: "sweep")
            intake.scan()
        }
        diskChanged(disk.check(now: now))
        if !holding {
            runInlineSteps()
            dispatch()
        }
        if let failure = channelManifests.flushIfDue(now: now, config: config) { lastError = failure }
        if !paused { serviceDeliveries(now) }
        serviceContactSheets(now)
        serviceNotices(now)
        // Once a second, and only for systemd: the line walks every batch for its progress.
        if notifier.active && now.timeIntervalSince(lastStatusLine) >= 1 {
            lastStatusLine = now
            notifier.status(statusLine())
        }
        notifier.watchdog(healthy: healthy(now))
    }

    /// A stuck pipeline stops the watchdog: work is waiting or running, yet nothing was
    /// dispatched or finished for twice the per-asset timeout (no workers, a wedged loop).
    func healthy(_ now: Date) -> Bool {
        let waitingWork = intake.hasReady || !scheduler.isEmpty
        let busy = pool.busy > 0 || (waitingWork && !holding)
        if !busy { lastProgress = now; return true }
        return now.timeIntervalSince(lastProgress) < 2 * config.assetTimeoutSeconds + 10
    }

    func reconcile(reason: String) {
        let inFlight = Set(pool.jobs.map(\.claimPath))
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
            for e in index.entries(in: stage.source) where e.inProgress == nil { scheduler.enqueue(e.key, for: stage.step) }
        }
    }

    func record(_ e: Event) { events.record(e) }

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
            use(catalog: try Catalog.load(path: path), from: path)
            return nil
        } catch {
            let why = "catalogue \(path) refused, the previous one stays in use: \(error)"
            lastError = why
            log.error("\(why)")
            return why
        }
    }

    /// A catalogue read and checked (by the poll above, or by a reload that refuses a bad one).
    func use(catalog fresh: Catalog, from path: String) {
        catalog = fresh
        if lastError?.hasPrefix("catalogue ") == true { lastError = nil }
        log.notice("catalogue loaded: \(fresh.count) SKUs from \(path)")
        record(Event(event: "catalog-loaded", detail: "\(fresh.count) SKUs"))
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
            log.notice("stopping: finishing \(pool.busy) assets in flight, taking no new work")
        }
    }

    /// Past the stop deadline: kill the workers; reconcile on the next start puts their assets back.
    func abandonRunningJobs() {
        log.warning("stop deadline reached; \(pool.busy) assets go back to their queues")
        pool.abandonRunningJobs()
        _ = Reconciler(layout: layout).run()
    }

    /// The signals become mailbox events. Children started after this inherit them ignored: on
    /// `systemctl stop` systemd signals the whole group, and workers finish their job rather than
    /// die mid-write (the supervisor ends them by closing their input).
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
        let queued = intake.readyCount + scheduler.count
        var line = "queued \(queued), running \(pool.busy), inbox settling \(intake.settlingCount), done \(processed)\(paused ? ", paused" : "")\(disk.full ? ", disk full" : "")"
        // The oldest batch with work left, as systemctl status shows it.
        if let b = batchProgress().first {
            line += "; batch \(b.batch) \(b.done)/\(b.total)"
            if b.waitingForPerson > 0 { line += ", \(b.waitingForPerson) for a person" }
            if let eta = b.etaSeconds { line += ", ETA \(ProgressEstimate.words(eta))" }
        }
        return line
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
