import Foundation
import PipelineCore
import Review
import XCTest

final class ContactSheetTests: XCTestCase {
    func entry(_ id: String, stage: String, status: ReviewStatus, at t: Double, reason: String? = nil, thumb: Bool = true) -> ContactSheet.Entry {
        ContactSheet.Entry(id: id, sku: "SKU-1", view: 1, stage: stage,
                           review: ReviewRecord(status: status, gates: [GateResult(gate: "sharpness", value: 1620.7, threshold: 4990.6, passed: status != .exception)], reason: reason),
                           flags: [], arrivedAt: Date(timeIntervalSince1970: t), hasThumbnail: thumb)
    }

    func testExceptionsComeFirstThenWaitingThenDecidedEachByArrival() {
        let sheet = ContactSheet(batch: "b", entries: [
            entry("auto", stage: "export", status: .autoApproved, at: 1),
            entry("sampled", stage: "review", status: .sampled, at: 2),
            entry("late-exception", stage: "review", status: .exception, at: 9),
            entry("exception", stage: "review", status: .exception, at: 3),
            entry("approved", stage: "export", status: .approved, at: 0),
        ])
        XCTAssertEqual(sheet.entries.map(\.id), ["exception", "late-exception", "sampled", "approved", "auto"])
    }

    func testThePageEscapesWhatItShowsAndGivesTheCommands() {
        let html = ContactSheet(batch: "shoot 1", entries: [
            entry("a1", stage: "review", status: .exception, at: 0, reason: "<script>alert(1)</script> & more"),
            entry("a2", stage: "review", status: .sampled, at: 1, thumb: false),
        ]).html
        XCTAssertFalse(html.contains("<script>"), "nothing from a manifest becomes markup")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        XCTAssertTrue(html.contains("pipectl approve &#39;shoot 1&#39;"), "a batch with a space is quoted for the shell")
        XCTAssertTrue(html.contains("pipectl reject a1 --reason &#39;&#39;"), "the reason is left for the reader to type")
        XCTAssertFalse(html.contains("--socket"), "pipectl's default socket is not named")
        XCTAssertFalse(html.contains("workbench"), "no link when no workbench runs")
        XCTAssertTrue(html.contains("pipectl retry a1 --set retouch.KEY=VALUE"), "an exception may be retried with overrides")
        XCTAssertTrue(html.contains("<img src=\"thumbs/a1.jpg\""))
        XCTAssertFalse(html.contains("thumbs/a2.jpg"), "no broken image for an asset without a thumbnail")
        XCTAssertTrue(html.contains("<td>1621</td><td>4991</td><td>FAIL</td>"), html)
    }

    func testCommandsNameASocketThatIsNotTheDefaultAndCardsLinkToTheWorkbench() {
        let access = ContactSheet.Access(socket: "/srv/pp/ctl.sock", workbench: "http://10.0.0.5:8088/batch/shoot%201")
        let html = ContactSheet(batch: "shoot 1", entries: [entry("a1", stage: "review", status: .exception, at: 0),
                                                                   entry("a2", stage: "review", status: .sampled, at: 1)], access: access).html
        XCTAssertTrue(html.contains("pipectl approve a1 --socket /srv/pp/ctl.sock"), html)
        XCTAssertTrue(html.contains("pipectl reject a1 --reason &#39;&#39; --socket /srv/pp/ctl.sock"), html)
        XCTAssertTrue(html.contains("pipectl approve &#39;shoot 1&#39; --socket /srv/pp/ctl.sock"), html)
        XCTAssertTrue(html.contains("<a href=\"http://10.0.0.5:8088/batch/shoot%201#a-a1\">"), html)
    }

    func testAVariantLinksToItsSourceAndTheBatchCommandNamesVariantsApart() {
        var variant = entry("mug-v1", stage: "review", status: .generated, at: 2)
        variant.variantOf = "mug"
        let html = ContactSheet(batch: "b", entries: [entry("mug", stage: "export", status: .autoApproved, at: 1), variant]).html
        XCTAssertTrue(html.contains("Generated variant of <a href=\"#mug\">mug</a>"), html)
        XCTAssertTrue(html.contains("pipectl approve b --variants"))
        XCTAssertFalse(html.contains("but the exceptions and generated variants"), "nothing else waits")
    }

    func testCommandQuoting() {
        XCTAssertEqual(ContactSheet.command(["approve", "day-1"]), "pipectl approve day-1")
        XCTAssertEqual(ContactSheet.command(["reject", "x", "--reason", "it's blurred"]), "pipectl reject x --reason 'it'\\''s blurred'")
    }
}
