import Foundation
import Generate
import Imaging
import PipelineCore
import Review
import XCTest

/// The ComfyUI generator against a stand-in server (Support/comfyui_standin.py: not ComfyUI, no
/// model) that follows ComfyUI's documented routes, JSON, multipart upload and history format.
final class ComfyUIGeneratorTests: XCTestCase {
    func make(_ standIn: ComfyUIStandIn?, keepProduct: Bool = true, attempts: Int = 1, timeout: Double = 5, url: String? = nil,
              workflow: String = ExternalFixtures.workflow, sleeps: inout [Double]) throws -> (GeneratedRecord, String) {
        let product = try ExternalFixtures.tin()
        var rule = ExternalFixtures.rule(.comfyui, keepProduct: keepProduct, attempts: attempts, timeout: timeout)
        rule.url = url ?? standIn!.url
        rule.workflow = workflow
        let dir = try ExternalFixtures.scratch()
        var slept: [Double] = []
        defer { sleeps = slept }
        let record = try ExternalVariant.make(product, rule: rule, request: try ExternalFixtures.request(product, keepProduct: keepProduct),
                                              in: dir, sleep: { slept.append($0) })
        return (record, dir)
    }

    func testASceneFromAPromptKeepsTheTrueProductAndPassesReview() throws {
        let standIn = try ComfyUIStandIn(mode: "background")
        var sleeps: [Double] = []
        let (record, dir) = try make(standIn, sleeps: &sleeps)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scene = try Image.open("\(dir)/\(VariantOutput.sceneFile)").pixels()
        XCTAssertEqual([scene.width, scene.height], [ExternalFixtures.side, ExternalFixtures.side])
        // The stand-in's new background is there, and the product is the master's.
        XCTAssertEqual(Int(scene.data[0]), 40, accuracy: 4); XCTAssertEqual(Int(scene.data[1]), 170, accuracy: 4)
        XCTAssertEqual(record.generator, "comfyui")
        XCTAssertEqual(record.keptProduct, true)
        XCTAssertEqual(record.attempts, 1)
        XCTAssertEqual(ProductFidelity.failures(record.fidelity), [], "\(record.fidelity)")
        XCTAssertEqual(VariantGate.review(record, source: "TIN-1-abc").status, .generated)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/.attempt-1"), "attempt folders are cleared")

        // What went over the wire, in ComfyUI's shapes.
        let sent = standIn.requests()
        let uploads = sent.filter { $0["route"] as? String == "upload" }
        XCTAssertEqual(uploads.map { $0["name"] as? String }, ["photopipe-TIN-1-kitchen-0a1b2c3d-input.png", "photopipe-TIN-1-kitchen-0a1b2c3d-mask.png"])
        XCTAssertEqual(uploads.first?["type"] as? String, "input")
        let prompt = try XCTUnwrap(sent.first { $0["route"] as? String == "prompt" }?["prompt"] as? [String: [String: Any]])
        XCTAssertEqual(prompt["1"]?["inputs"].flatMap { ($0 as? [String: Any])?["image"] as? String }, "photopipe-TIN-1-kitchen-0a1b2c3d-input.png")
        XCTAssertEqual(prompt["3"]?["inputs"].flatMap { ($0 as? [String: Any])?["text"] as? String }, "product photo, Red tin on a kitchen counter")
        XCTAssertEqual(prompt["6"]?["inputs"].flatMap { ($0 as? [String: Any])?["seed"] as? Int }, 42)
        XCTAssertEqual(prompt["7"]?["inputs"].flatMap { ($0 as? [String: Any])?["width"] as? Int }, ExternalFixtures.side)
    }

    func testAnAlteredProductIsPastedBackWhenTheProductIsKept() throws {
        let standIn = try ComfyUIStandIn(mode: "alter")
        var sleeps: [Double] = []
        let (record, dir) = try make(standIn, keepProduct: true, sleeps: &sleeps)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(ProductFidelity.failures(record.fidelity), [], "\(record.fidelity)")
        XCTAssertNil(record.redrawn)
        XCTAssertEqual(VariantGate.review(record, source: "TIN-1-abc").status, .generated)
    }

    func testAnAlteredRedrawnProductIsHeldAsAnException() throws {
        let standIn = try ComfyUIStandIn(mode: "alter")
        var sleeps: [Double] = []
        let (record, dir) = try make(standIn, keepProduct: false, sleeps: &sleeps)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redrawn = try XCTUnwrap(record.redrawn)
        print("measured: recoloured on-model product \(redrawn)")
        XCTAssertGreaterThan(redrawn.meanDeltaE, 10)
        let review = VariantGate.review(record, source: "TIN-1-abc")
        XCTAssertEqual(review.status, .exception)
        XCTAssertEqual(review.gates.filter { !$0.passed }.map(\.gate), ["redrawn-colour", "redrawn-shape"])
        XCTAssertTrue(review.reason?.contains("mean colour is ΔE2000") == true, review.reason ?? "")
    }

    func testAFaithfulRedrawnProductPassesItsGates() throws {
        let standIn = try ComfyUIStandIn(mode: "background")
        var sleeps: [Double] = []
        let (record, dir) = try make(standIn, keepProduct: false, sleeps: &sleeps)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redrawn = try XCTUnwrap(record.redrawn)
        print("measured: unchanged on-model product \(redrawn)")
        XCTAssertLessThan(redrawn.meanDeltaE, 1)
        XCTAssertGreaterThan(redrawn.shapeIoU, 0.9)
        XCTAssertEqual(VariantGate.review(record, source: "TIN-1-abc").status, .generated)
    }

    func testAGeneratorThatIsDownIsTriedEveryAttemptWithBackoffThenGivenUp() throws {
        var sleeps: [Double] = []
        XCTAssertThrowsError(try make(nil, attempts: 3, url: "http://127.0.0.1:1", sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.attempts, 3)
            XCTAssertEqual(gaveUp?.code, "unreachable")
            XCTAssertTrue(gaveUp?.message.contains("comfyui at http://127.0.0.1:1") == true, gaveUp?.message ?? "")
            XCTAssertTrue(gaveUp?.message.contains("connection refused") == true, gaveUp?.message ?? "")
        }
        XCTAssertEqual(sleeps, [0.05, 0.1], "backoff doubles between attempts")
    }

    func testAPromptThatNeverFinishesIsGivenUpWithinItsTimeout() throws {
        let standIn = try ComfyUIStandIn(mode: "never")
        var sleeps: [Double] = []
        let started = Date()
        XCTAssertThrowsError(try make(standIn, timeout: 1, sleeps: &sleeps)) { error in
            XCTAssertEqual((error as? ExternalVariant.GaveUp)?.code, "timeout", "\(error)"); print("measured: \(error)")
        }
        print("measured: gave up after \(Date().timeIntervalSince(started)) s")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        let forgotten = standIn.requests().filter { $0["route"] as? String == "queue" }
        XCTAssertEqual(forgotten.count, 1, "the abandoned prompt is taken off the server's queue")
    }

    func testAWorkflowComfyUIRefusesIsNotRetried() throws {
        let standIn = try ComfyUIStandIn(mode: "refuse")
        var sleeps: [Double] = []
        XCTAssertThrowsError(try make(standIn, attempts: 3, sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.code, "workflow_refused")
            XCTAssertEqual(gaveUp?.attempts, 1)
            XCTAssertTrue(gaveUp?.message.contains("Prompt outputs failed validation") == true, gaveUp?.message ?? "")
            XCTAssertTrue(gaveUp?.message.contains("node 1 (LoadImage)") == true, gaveUp?.message ?? "")
        }
        XCTAssertEqual(sleeps, [])
    }

    func testAnExecutionErrorInTheHistoryIsTheReason() throws {
        let standIn = try ComfyUIStandIn(mode: "error")
        var sleeps: [Double] = []
        XCTAssertThrowsError(try make(standIn, attempts: 2, sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.code, "generator_error")
            XCTAssertEqual(gaveUp?.attempts, 2)
            XCTAssertTrue(gaveUp?.message.contains("KSampler node 4: CUDA out of memory") == true, gaveUp?.message ?? "")
        }
    }

    func testAMalformedWorkflowAndOneWithoutThePromptAreRefusedNamingTheFile() throws {
        let dir = try ExternalFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let malformed = "\(dir)/broken.json", noPrompt = "\(dir)/no-prompt.json"
        try Data("{\"1\": {\"class_type\": \"LoadImage\", \"inputs\": {\"image\": \"{{image}}\"}".utf8).write(to: URL(fileURLWithPath: malformed))
        try Data("{\"1\": {\"class_type\": \"LoadImage\", \"inputs\": {\"image\": \"{{image}}\"}}}".utf8).write(to: URL(fileURLWithPath: noPrompt))
        var sleeps: [Double] = []
        XCTAssertThrowsError(try make(nil, url: "http://127.0.0.1:1", workflow: malformed, sleeps: &sleeps)) { error in
            let gaveUp = error as? ExternalVariant.GaveUp
            XCTAssertEqual(gaveUp?.code, "bad_workflow")
            XCTAssertEqual(gaveUp?.attempts, 0, "nothing is sent")
            XCTAssertTrue(gaveUp?.message.contains("workflow \(malformed) is not JSON") == true, gaveUp?.message ?? "")
        }
        XCTAssertThrowsError(try make(nil, url: "http://127.0.0.1:1", workflow: noPrompt, sleeps: &sleeps)) { error in
            XCTAssertTrue((error as? ExternalVariant.GaveUp)?.message.contains("workflow \(noPrompt) has no {{prompt}} placeholder") == true, "\(error)")
        }
        // At config load, before any asset.
        let toml = """
            [generate.rule.model]
            generator = "comfyui"
            url = "http://127.0.0.1:8188"
            workflow = "\(noPrompt)"
            prompt = "{catalog.title}"
            """
        XCTAssertThrowsError(try ConfigLoader.parse(toml)) { error in
            XCTAssertTrue("\(error)".contains("[generate.rule.model]: workflow \(noPrompt) has no {{prompt}} placeholder"), "\(error)")
        }
    }
}
