import PipelineCore

/// `GET /`: every batch with its counts, how far it is, and whether it waits for a reviewer.
/// Cells carry `data-field` so the script can update them from `/api/batches`.
public enum BatchesPage {
    /// The counts shown, in column order: JSON field and heading.
    static var columns: [(field: String, heading: String, value: KeyPath<BatchRow, Int>)] {
        [("total", "Total", \.total), ("waiting", "Waiting", \.waiting), ("exceptions", "Exceptions", \.exceptions),
         ("sampled", "Sampled", \.sampled), ("generated", "Generated", \.generated), ("approved", "Approved", \.approved),
         ("autoApproved", "Auto-approved", \.autoApproved), ("rejected", "Rejected", \.rejected),
         ("exported", "Exported", \.exported), ("failed", "Failed", \.failed)]
    }

    /// `paused`: the pipeline's state, for an admin (nil: no admin controls).
    public static func render(rows: [BatchRow], user: String, role: String, csrf: String, paused: Bool? = nil) -> String {
        var body = ""
        body.reserveCapacity(600 + rows.count * 900)
        body += "<main class=\"batches\"\(paused.map { " data-paused=\"\($0)\"" } ?? "")>\n<h1>Batches</h1>\n"
        if let paused { body += adminBar(paused: paused) }
        body += "<table class=\"batches\">\n<thead><tr><th scope=\"col\">Batch</th>"
        for c in columns { body += "<th scope=\"col\" class=\"num\">\(c.heading)</th>" }
        body += "<th scope=\"col\">Progress</th><th scope=\"col\">Waits for</th></tr></thead>\n<tbody>\n"
        for row in rows { appendRow(row, to: &body) }
        body += "</tbody>\n</table>\n"
        body += "<p class=\"empty\"\(rows.isEmpty ? "" : " hidden")>No batches yet.</p>\n</main>\n"
        return PageFrame.render(title: "Batches", user: user, role: role, csrf: csrf, body: body)
    }

    /// Pause and resume (one shows at a time, by the main element's `data-paused`) and reload.
    static func adminBar(paused: Bool) -> String {
        """
        <section class="admin" aria-label="Pipeline">
        <span class="state" data-state>\(paused ? "Paused: nothing new starts." : "Running.")</span>
        <button type="button" data-admin="pause">Pause the pipeline</button>
        <button type="button" data-admin="resume">Resume</button>
        <button type="button" data-admin="reload">Reload the config</button>
        </section>

        """
    }

    static func appendRow(_ row: BatchRow, to out: inout String) {
        let name = Markup.escape(row.batch)
        out += "<tr data-batch=\"\(name)\"><th scope=\"row\"><a href=\"\(Markup.escape(PagePath.batch(row.batch)))\">\(name)</a></th>"
        for c in columns { out += "<td class=\"num\" data-field=\"\(c.field)\">\(row[keyPath: c.value])</td>" }
        out += "<td><progress data-field=\"progress\" max=\"\(max(row.total, 1))\" value=\"\(row.finished)\">"
        out += "\(row.finished) of \(row.total)</progress> <span class=\"progress-text\" data-field=\"progress-text\">\(row.finished) of \(row.total) done</span></td>"
        out += "<td data-field=\"waits-for\" class=\"\(row.waiting > 0 ? "waits" : "idle")\">\(Markup.escape(waitsFor(row)))</td></tr>\n"
    }

    public static func waitsFor(_ row: BatchRow) -> String {
        row.waiting > 0 ? "reviewers (\(row.waiting) waiting)" : "nobody"
    }
}
