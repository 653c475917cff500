import Foundation
import Imaging
import PipelineCore
import XCTest

/// `photopiped generate --rule`: an external generator calibrated one-shot on `process` output,
/// each variant written with its record (figures and the gate's verdict) and the summary.
final class GenerateCommandTests: XCTestCase {
    func testACommandRuleWritesVariantsRecordsWithVerdictsAndASummary() throws {
        let dir = NSTemporaryDirectory() + "pp-gencmd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = try Fixtures.shots(count: 1, firstSku: 9801)
        let processed = shell(Daemon.photopiped, ["process", "\(src)/SKU-9801_01.jpg", "--out", "\(dir)/masters", "--quiet"])
        XCTAssertEqual(processed.status, 0, processed.out + processed.err)
        func script(_ name: String, _ body: String) throws -> String {
            let path = "\(dir)/\(name)"
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
            return path
        }
        // A faithful on-model stand-in gives the canvas back; a wrong one gives the mask (a white product).
        let config = "\(dir)/photopipe.toml"
        try Data("""
        [generate.rule.tryon]
        generator = "command"
        command = "\(try script("faithful.sh", "cp input.png output.png"))"
        prompt = "{sku} worn by a model in {scene}"
        scenes = ["a studio", "a street"]
        variants = 2
        timeout_seconds = 20
        keep_product = false
        [generate.rule.recolour]
        generator = "command"
        command = "\(try script("recolour.sh", "cp mask.png output.png"))"
        prompt = "{sku} worn by a model"
        keep_product = false
        redrawn_max_delta_e = 6
        [generate.rule.down]
        generator = "command"
        command = "\(try script("down.sh", "echo 'no GPU' >&2\nexit 3"))"
        prompt = "{sku}"
        attempts = 1
        """.utf8).write(to: URL(fileURLWithPath: config))
        let master = "\(dir)/masters/SKU-9801_01"

        let faithful = shell(Daemon.photopiped, ["generate", "--config", config, "--rule", "tryon", "--long-side", "400", "--out", "\(dir)/tryon", master])
        XCTAssertEqual(faithful.status, 0, faithful.out + faithful.err)
        let written = try records(in: "\(dir)/tryon/SKU-9801_01")
        XCTAssertEqual(written.count, 2, "one variant per scene word")
        for r in written {
            let g = try XCTUnwrap(r["generated"] as? [String: Any])
            XCTAssertEqual(g["generator"] as? String, "command")
            XCTAssertEqual(g["rule"] as? String, "tryon")
            XCTAssertTrue((g["prompt"] as? String)?.hasPrefix("SKU-9801_01 worn by a model in a st") == true, "\(g)")
            let redrawn = try XCTUnwrap(g["redrawn"] as? [String: Any])
            XCTAssertLessThan(try XCTUnwrap(redrawn["meanDeltaE"] as? Double), 1)
            XCTAssertGreaterThan(try XCTUnwrap(redrawn["shapeIoU"] as? Double), 0.8)
            let review = try XCTUnwrap(r["review"] as? [String: Any])
            XCTAssertEqual(review["status"] as? String, "generated", "\(review)")
            let file = try XCTUnwrap(r["file"] as? String)
            let image = try Image.open("\(dir)/tryon/\(file)")
            XCTAssertEqual([image.width, image.height], [400, 400])
        }
        let summary = try String(contentsOfFile: "\(dir)/tryon/summary.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(summary.count, 3, summary.joined(separator: "\n"))
        XCTAssertTrue(summary[0].contains("redrawn_iou\tverdict"), String(summary[0]))
        XCTAssertTrue(summary.dropFirst().allSatisfy { $0.contains("\tpasses\t") }, summary.joined(separator: "\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/tryon/SKU-9801_01/variants"), "no job folders are left")

        // The recoloured product is held by the rule's own colour limit, and says so in its record.
        let wrong = shell(Daemon.photopiped, ["generate", "--config", config, "--rule", "recolour", "--long-side", "400", "--out", "\(dir)/recolour", master])
        XCTAssertEqual(wrong.status, 0, wrong.out + wrong.err)
        let held = try XCTUnwrap(try records(in: "\(dir)/recolour/SKU-9801_01").first)
        let review = try XCTUnwrap(held["review"] as? [String: Any])
        XCTAssertEqual(review["status"] as? String, "exception")
        let colour = try XCTUnwrap((review["gates"] as? [[String: Any]])?.first { $0["gate"] as? String == "redrawn-colour" })
        XCTAssertEqual(colour["threshold"] as? Double, 6)
        XCTAssertEqual(colour["passed"] as? Bool, false)
        XCTAssertTrue(wrong.out.contains("held: redrawn-colour"), wrong.out)

        // A generator that fails is in the summary with its reason, and fails the run.
        let down = shell(Daemon.photopiped, ["generate", "--config", config, "--rule", "down", "--out", "\(dir)/down", master])
        XCTAssertEqual(down.status, 1, down.out + down.err)
        XCTAssertTrue(down.out.contains("command_failed") && down.out.contains("no GPU"), down.out)

        let unknown = shell(Daemon.photopiped, ["generate", "--config", config, "--rule", "tryonn", "--out", "\(dir)/x", master])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.err.contains("no rule tryonn") && unknown.err.contains("down, recolour, tryon"), unknown.err)
    }

    /// The `<variant>.jpg.json` records of one input folder's results.
    func records(in folder: String) throws -> [[String: Any]] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg.json") }.sorted().map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\($0)"))) as? [String: Any])
        }
    }
}
