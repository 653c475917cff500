import Foundation
import Generate
import PipelineCore
import XCTest

/// Placeholder filling, history parsing, prompt templates and the rule fields, without a server.
final class ExternalTemplateTests: XCTestCase {
    func testPlaceholdersAreFilledAsTextAndAsIntegers() throws {
        let json = """
            {"1": {"class_type": "LoadImage", "inputs": {"image": "{{image}}"}},
             "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "photo of {{prompt}}, seed {{seed}}", "clip": ["4", 1]}},
             "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "cfg": 7.5, "add_noise": true, "denoise": 1}}}
            """
        let t = try WorkflowTemplate(json: Data(json.utf8), path: "/w.json")
        XCTAssertEqual(t.placeholders, ["image", "prompt", "seed"])
        let filled = try t.filled(text: ["image": "in.png", "prompt": "a \"red\" tin"], integers: ["seed": 7])
        let back = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: filled)) as? [String: [String: Any]])
        func input(_ node: String, _ key: String) -> Any? { (back[node]?["inputs"] as? [String: Any])?[key] }
        XCTAssertEqual(input("1", "image") as? String, "in.png")
        XCTAssertEqual(input("2", "text") as? String, "photo of a \"red\" tin, seed 7")
        XCTAssertEqual(input("3", "seed") as? Int, 7)
        XCTAssertEqual(input("3", "cfg") as? Double, 7.5)
        XCTAssertEqual(input("3", "add_noise") as? Bool, true)
        XCTAssertEqual((input("2", "clip") as? [Any])?.first as? String, "4")
    }

    func testAWorkflowThatCannotServeIsRefusedWithItsReason() {
        func reason(_ json: String) -> String {
            do { _ = try WorkflowTemplate(json: Data(json.utf8), path: "/w.json"); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason("{\"1\": ").contains("workflow /w.json is not JSON"))
        XCTAssertTrue(reason("{\"nodes\": [], \"links\": []}").contains("not ComfyUI's API format"))
        XCTAssertTrue(reason("{\"1\": {\"class_type\": \"CLIPTextEncode\", \"inputs\": {\"text\": \"{{prompt}}\"}}}").contains("has no {{image}} placeholder"))
        XCTAssertTrue(reason("{\"1\": {\"class_type\": \"LoadImage\", \"inputs\": {\"image\": \"{{image}}\", \"t\": \"{{prompt}} {{style}}\"}}}")
            .contains("unknown placeholder {{style}}"))
    }

    func testHistoryIsPendingUntilItListsImagesAndGivesAnErrorsReason() throws {
        XCTAssertEqual(try ComfyUIHistory.parse(Data("{}".utf8), promptID: "p1"), .pending)
        let done = """
            {"p1": {"prompt": [3, "p1", {}, {}, ["9"]],
                    "outputs": {"12": {"images": [{"filename": "prev.png", "subfolder": "", "type": "temp"}]},
                                "9": {"images": [{"filename": "ComfyUI_00001_.png", "subfolder": "shop", "type": "output"}]}},
                    "status": {"status_str": "success", "completed": true, "messages": []}}}
            """
        XCTAssertEqual(try ComfyUIHistory.parse(Data(done.utf8), promptID: "p1"),
                       .done([ComfyUIFile(filename: "ComfyUI_00001_.png", subfolder: "shop", type: "output"),
                              ComfyUIFile(filename: "prev.png", subfolder: "", type: "temp")]))
        let failed = """
            {"p1": {"outputs": {}, "status": {"status_str": "error", "completed": false, "messages": [
                ["execution_start", {"prompt_id": "p1"}],
                ["execution_error", {"prompt_id": "p1", "node_id": "6", "node_type": "VAEDecode", "exception_message": "out of memory\\n"}]]}}}
            """
        XCTAssertEqual(try ComfyUIHistory.parse(Data(failed.utf8), promptID: "p1"), .failed("the workflow failed at VAEDecode node 6: out of memory"))
        let empty = "{\"p1\": {\"outputs\": {}, \"status\": {\"status_str\": \"success\", \"completed\": true, \"messages\": []}}}"
        XCTAssertEqual(try ComfyUIHistory.parse(Data(empty.utf8), promptID: "p1"), .failed("the workflow finished without an image (it needs a SaveImage node)"))
        XCTAssertThrowsError(try ComfyUIHistory.parse(Data("<html>".utf8), promptID: "p1"))
    }

    func testPromptsTakeCatalogueFieldsAndCloseUpWhatIsMissing() throws {
        let t = try PromptTemplate("{catalog.title} in {catalog.color}, {catalog.material}, on {scene} ({sku})")
        let context = NamingContext(sku: "TIN-1", view: 1, batch: "b", stem: "s", catalog: ["title": "Red tin", "color": " red "], ext: "")
        XCTAssertEqual(t.render(context, scene: "a kitchen counter", rule: "r"), "Red tin in red, on a kitchen counter (TIN-1)")
        XCTAssertThrowsError(try PromptTemplate("{title}")) { XCTAssertTrue("\($0)".contains("unknown token {title}")) }
    }

    func testExternalRuleFieldsAreReadAndChecked() throws {
        let command = "/bin/true"
        let c = try ConfigLoader.parse("""
            [generate.rule.model]
            generator = "command"
            command = "\(command)"
            prompt = "{catalog.title} worn by a model"
            timeout_seconds = 20
            attempts = 3
            backoff_seconds = 1.5
            keep_product = false
            """)
        let r = try XCTUnwrap(c.generate.rules["model"])
        XCTAssertEqual(r.generator, .command)
        XCTAssertEqual([r.timeoutSeconds, r.backoffSeconds], [20, 1.5])
        XCTAssertEqual(r.attempts, 3)
        XCTAssertFalse(r.keepProduct)
        func refusal(_ toml: String) -> String {
            do { _ = try ConfigLoader.parse(toml); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal("[generate.rule.a]\ngenerator = \"comfyui\"\nurl = \"ftp://host\"").contains("'generate.rule.a.url' must be an http(s) base URL"))
        XCTAssertTrue(refusal("[generate.rule.a]\ngenerator = \"comfyui\"\nurl = \"http://h:8188\"\nprompt = \"x\"").contains("needs workflow"))
        XCTAssertTrue(refusal("[generate.rule.a]\ngenerator = \"command\"\ncommand = \"run.sh\"").contains("must be an absolute path"))
        XCTAssertTrue(refusal("[generate.rule.a]\ngenerator = \"command\"\ncommand = \"/nonexistent/gen\"").contains("is not an executable file"))
        XCTAssertTrue(refusal("[generate.rule.a]\nprompt = \"{nope}\"").contains("unknown token {nope}"))
        XCTAssertTrue(refusal("[generate.rule.a]\ngenerator = \"command\"\ncommand = \"\(command)\"\ntimeout_seconds = 100\nattempts = 3")
            .contains("more than limits.asset_timeout_seconds"))
    }
}
