import ArgumentParser
import ControlProtocol
import PipelineCore
import Foundation

@main
struct Pipectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipectl",
        abstract: "Control a running photopiped over its Unix socket.",
        discussion: """
            Exit status:
              0   the daemon answered and did what was asked (also --help,
                  --version)
              1   the daemon is not running or not reachable on the socket,
                  or it refused the request (its reason is printed);
                  deliveries --failed: some delivery failed
              64  usage: a misspelt command (with a suggestion), an unknown
                  option, a missing or bad argument
            """,
        version: photopipeVersion,
        subcommands: [Status.self, Batches.self, List.self, Show.self, Retry.self, Rollback.self, Approve.self, Reject.self,
                      Exceptions.self, Review.self, Report.self, Deliveries.self, Redeliver.self,
                      Pause.self, Resume.self, Reload.self])

    static func main() {
        let verbs = configuration.subcommands.map { $0._commandName }
        switch CommandLineOrder.arrange(Array(CommandLine.arguments.dropFirst()), verbs: verbs) {
        case .run(let args): main(args)
        case .unknownVerb(let why):
            FileHandle.standardError.write(Data("pipectl: \(why)\n".utf8))
            Foundation.exit(64)
        }
    }
}

struct Connection: ParsableArguments {
    @Option(help: "The daemon's control socket.")
    var socket = ProcessInfo.processInfo.environment["PHOTOPIPE_SOCKET"] ?? "/run/photopipe/control.sock"

    @Flag(help: "Print the daemon's JSON answer, for scripts.")
    var json = false

    /// Sends the request; prints the JSON (with --json) or hands the response to `render`.
    @discardableResult
    func call(_ request: Request, render: (Response) -> Void) throws -> Response {
        // A daemon that closes the connection is reported, not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let response: Response
        do { response = try ControlClient.send(request, socketPath: socket) }
        catch { fail("\(error)") }
        if json {
            print(String(decoding: try ControlCoding.encoder(pretty: true).encode(response), as: UTF8.self))
            if !response.ok { throw ExitCode(1) }
            return response
        }
        guard response.ok else { fail(response.error ?? "the daemon refused the request") }
        render(response)
        return response
    }

    func fail(_ text: String) -> Never {
        FileHandle.standardError.write(Data("pipectl: \(text)\n".utf8))
        Foundation.exit(1)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per-stage counts, workers, paused or not, uptime, version, last error.")
    @OptionGroup var connection: Connection

    func run() throws {
        try connection.call(Request(command: .status)) { r in
            guard let s = r.status else { return }
            print("photopiped \(s.version), up \(Table.duration(s.uptimeSeconds))\(s.paused ? ", PAUSED" : "")")
            print("workers: \(s.workersBusy) busy, \(s.workersIdle) idle; exported since start: \(s.processed)")
            let order = ["inbox", "ingested", "retouched", "generated", "review", "approved", "export", "failed"]
            var rows = order.map { [$0, "\(s.stages[$0] ?? 0)"] }
            for (step, n) in s.inProgress.sorted(by: { $0.key < $1.key }) { rows.append(["(\(step) in progress)", "\(n)"]) }
            print(Table.render(header: ["STAGE", "ASSETS"], rows: rows))
            if let d = s.deliveries {
                let failed = d["failed", default: 0], posts = s.webhooksFailed ?? 0
                var line = "deliveries: \(d["delivered", default: 0]) delivered, \(d["pending", default: 0]) pending, \(failed) failed"
                if s.webhooksFailed != nil { line += "; webhooks: \(posts) failed" }
                if failed + posts > 0 { line += " (see `pipectl deliveries --failed`)" }
                print(line)
            }
            if let n = s.exportExceptions, n > 0 {
                print("export exceptions: \(n) exported assets lack a channel's file (see `pipectl list export`)")
            }
            if let batches = s.batches, !batches.isEmpty {
                let rows = batches.map { b in
                    [b.batch, "\(b.done)/\(b.total)", "\(b.waitingForPerson)",
                     b.etaSeconds.map { ProgressEstimate.words($0) } ?? "after the first timed step"]
                }
                print(Table.render(header: ["BATCH", "DONE", "FOR A PERSON", "MACHINE ETA"], rows: rows))
            }
            if let full = s.diskFull { print("DISK FULL: \(full)") }
            print("last error: \(s.lastError ?? "none")")
        }
    }
}

struct Batches: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Shoot sessions: counts per stage, first and last arrival, completion.")
    @OptionGroup var connection: Connection

    func run() throws {
        try connection.call(Request(command: .batches)) { r in
            let list = r.batches ?? []
            if list.isEmpty { print("no batches"); return }
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let order = ["inbox", "in progress", "ingested", "retouched", "generated", "review", "approved", "export", "failed"]
            let rows = list.map { b -> [String] in
                let stages = order.compactMap { s in b.stages[s].map { "\(s) \($0)" } }.joined(separator: ", ")
                return [b.name, "\(b.total)", b.complete ? "yes" : "no", b.firstArrival.map(f.string) ?? "-",
                        b.lastArrival.map(f.string) ?? "-", stages]
            }
            print(Table.render(header: ["BATCH", "ASSETS", "COMPLETE", "FIRST ARRIVAL", "LAST ARRIVAL", "STAGES"], rows: rows))
        }
    }
}

/// `--limit` and `--after` for answers that page.
struct Paging: ParsableArguments {
    @Option(help: "At most this many entries (the daemon sends at most 1000 a page).") var limit = 200
    @Option(help: "Start after this entry (an asset; for deliveries, a row): the one the previous page named as next.") var after: String?

    func apply(_ request: Request) -> Request {
        var r = request
        r.limit = limit
        r.after = after
        return r
    }

    /// Says how to get the next page, when there is one (on stderr: stdout stays the table).
    func more(_ r: Response) {
        guard let next = r.next else { return }
        let args = CommandLine.arguments.dropFirst().filter { $0 != "--after" && $0 != after }
        FileHandle.standardError.write(Data("more: pipectl \(args.joined(separator: " ")) --after \(next)\n".utf8))
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List assets, optionally of one stage and one batch.")
    @OptionGroup var connection: Connection
    @Argument(help: "ingested, retouched, generated, review, approved, export or failed.") var stage: String?
    @Option(help: "Only this batch.") var batch: String?
    @OptionGroup var paging: Paging

    func run() throws {
        try connection.call(paging.apply(Request(command: .list, stage: stage, batch: batch))) { r in
            let rows = (r.assets ?? []).map { a in
                [a.id, a.stage, a.batch, a.sku, a.view.map(String.init) ?? "-", a.note ?? ""]
            }
            if rows.isEmpty { print("no assets"); return }
            print(Table.render(header: ["ASSET", "STAGE", "BATCH", "SKU", "VIEW", "NOTE"], rows: rows))
            paging.more(r)
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one asset: where it is, what review said, what failed, its files and last steps (the whole manifest with --json).")
    @OptionGroup var connection: Connection
    @Argument(help: "An asset id, or the file name it came from (SKU-1009_02), or the start of an id.") var asset: String

    func run() throws {
        try connection.call(Request(command: .show, asset: asset)) { r in print(AssetText.render(r.detail)) }
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a failed asset back to the step that failed, export again one with channel exceptions, or rebuild one from its original; --set reprocesses it with per-asset retouch overrides, kept for later rebuilds.")
    @OptionGroup var connection: Connection
    @Argument var asset: String
    @Option(name: .customLong("set"), help: "retouch.KEY=VALUE for this asset (repeatable).") var overrides: [String] = []
    func run() throws {
        var r = Request(command: .retry, asset: asset)
        if !overrides.isEmpty { r.overrides = overrides }
        try connection.call(r) { print($0.message ?? "ok") }
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild an asset from its original, dropping its per-asset overrides.")
    @OptionGroup var connection: Connection
    @Argument var asset: String
    func run() throws { try connection.call(Request(command: .rollback, asset: asset)) { print($0.message ?? "ok") } }
}

struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve assets waiting in review, or whole batches (their held and sampled assets; exceptions only when named or with --include-exceptions).")
    @OptionGroup var connection: Connection
    @Argument(help: "Asset ids or batch names.") var names: [String]
    @Flag(help: "With a batch: approve its exceptions too.") var includeExceptions = false
    @Flag(name: .customLong("variants"), help: "With a batch: approve its generated variants too.") var includeVariants = false
    func run() throws {
        var r = Request(command: .approve)
        r.names = names
        r.includeExceptions = includeExceptions
        r.includeVariants = includeVariants
        try connection.call(r) { print($0.message ?? "ok") }
    }
}

struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject assets waiting in review: they go to failed/ with the reason (the original stays).")
    @OptionGroup var connection: Connection
    @Argument var assets: [String]
    @Option(help: "Why (kept in the manifest and the event log).") var reason: String
    @Option(help: "Where on the master: X,Y,WIDTH,HEIGHT in master pixels (one asset only).") var box: String?
    func validate() throws {
        if let box {
            let n = box.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard n.count == 4, n[0] >= 0, n[1] >= 0, n[2] > 0, n[3] > 0 else { throw ValidationError("--box takes X,Y,WIDTH,HEIGHT in master pixels, e.g. --box 120,80,400,300") }
            guard assets.count == 1 else { throw ValidationError("--box marks one asset: name just one") }
        }
    }
    func run() throws {
        var r = Request(command: .reject)
        r.names = assets
        r.reason = reason
        r.box = box.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        try connection.call(r) { print($0.message ?? "ok") }
    }
}

struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per batch: total, auto-approved, sampled, exceptions, waiting, decided by a person, and which gates failed how often; with a batch, the assets waiting in it.")
    @OptionGroup var connection: Connection
    @Argument(help: "A batch: list its assets waiting in review.") var batch: String?
    @OptionGroup var paging: Paging

    func run() throws {
        try connection.call(paging.apply(Request(command: .review, batch: batch))) { resp in
            if batch != nil {
                let rows = (resp.assets ?? []).map { [$0.id, $0.sku, $0.view.map(String.init) ?? "-", $0.note ?? ""] }
                if rows.isEmpty { print("nothing waiting in review for \(batch!)"); return }
                print(Table.render(header: ["ASSET", "SKU", "VIEW", "STATUS AND REASON"], rows: rows))
                paging.more(resp)
                print("approve the passing ones: pipectl approve \(batch!)   (exceptions: name them, or --include-exceptions)")
                if let sheet = resp.message { print("contact sheet: \(sheet)") }
                return
            }
            let rows = (resp.review ?? []).map { s in
                [s.batch, "\(s.total)", "\(s.autoApproved)", "\(s.sampled)", "\(s.exceptions)", "\(s.waiting)", "\(s.approvedByPerson)", "\(s.rejected)",
                 s.gateFailures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
            }
            if rows.isEmpty { print("nothing reviewed yet"); return }
            print(Table.render(header: ["BATCH", "TOTAL", "AUTO", "SAMPLED", "EXCEPTIONS", "WAITING", "APPROVED", "REJECTED", "GATES FAILED"], rows: rows))
            if let sheets = resp.message { print("contact sheets: \(sheets)/<batch>/index.html") }
        }
    }
}

struct Exceptions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Everything waiting for a specialist, oldest first: review exceptions and exported assets missing a channel's file.")
    @OptionGroup var connection: Connection
    @OptionGroup var paging: Paging
    func run() throws {
        try connection.call(paging.apply(Request(command: .exceptions))) { resp in
            let rows = (resp.assets ?? []).map { [$0.id, $0.stage, $0.batch, $0.sku, $0.view.map(String.init) ?? "-", $0.note ?? ""] }
            if rows.isEmpty { print("no exceptions"); return }
            print(Table.render(header: ["ASSET", "STAGE", "BATCH", "SKU", "VIEW", "WHY"], rows: rows))
            paging.more(resp)
        }
    }
}

struct Deliveries: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Files at each delivery target: pending, delivered (with URL) or failed (with the reason).",
        discussion: "With --failed, exits 1 when anything failed (for scripts and monitoring), 0 when nothing did.")
    @OptionGroup var connection: Connection
    @Flag(help: "Only failed deliveries (exit status 1 when there are any).") var failed = false
    @Option(help: "Only this batch.") var batch: String?
    @OptionGroup var paging: Paging

    func run() throws {
        var r = paging.apply(Request(command: .deliveries, batch: batch))
        r.failedOnly = failed
        let answer = try connection.call(r) { resp in
            let rows = (resp.deliveries ?? []).map { d in
                [d.target, d.asset, d.file, d.status, "\(d.attempts)", d.status == "failed" ? (d.error ?? "") : (d.url ?? d.error ?? "")]
            }
            if rows.isEmpty { print("no deliveries"); return }
            print(Table.render(header: ["TARGET", "ASSET", "FILE", "STATUS", "TRIES", "URL / REASON"], rows: rows))
            paging.more(resp)
        }
        if failed && !(answer.deliveries ?? []).isEmpty { throw ExitCode(1) }
    }
}

struct Redeliver: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Try an asset's or a batch's failed and pending deliveries again, now.")
    @OptionGroup var connection: Connection
    @Argument(help: "An asset id or a batch name.") var name: String
    func run() throws { try connection.call(Request(command: .redeliver, asset: name)) { print($0.message ?? "ok") } }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start no new work (assets in flight finish).")
    @OptionGroup var connection: Connection
    func run() throws { try connection.call(Request(command: .pause)) { print($0.message ?? "ok") } }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume after pause.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.call(Request(command: .resume)) { print($0.message ?? "ok") } }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-read the config file; a bad file is refused and the running config kept.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.call(Request(command: .reload)) { print($0.message ?? "ok") } }
}
