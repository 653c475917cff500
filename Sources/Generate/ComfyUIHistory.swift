import Foundation

/// A file on a ComfyUI server, as `/upload/image` answers and `/history` lists it, and as `/view` takes it.
public struct ComfyUIFile: Sendable, Equatable {
    public var filename: String
    public var subfolder: String
    public var type: String
    public init(filename: String, subfolder: String, type: String) { self.filename = filename; self.subfolder = subfolder; self.type = type }
}

/// What `GET /history/{prompt_id}` says about one prompt: `{}` while it waits or runs; then
/// `{"<id>": {"outputs": {"<node>": {"images": [{filename, subfolder, type}]}}, "status":
/// {"status_str": "success" | "error", "completed": …, "messages": [[name, {…}], …]}}}`.
public enum ComfyUIHistory: Equatable, Sendable {
    case pending
    case failed(String)
    /// Saved images first (type `output`), then any others (previews, `temp`), by node id.
    case done([ComfyUIFile])

    public static func parse(_ body: Data, promptID: String) throws -> ComfyUIHistory {
        guard let all = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw GeneratorFailure("bad_answer", "ComfyUI's /history answer is not a JSON object", retry: true)
        }
        guard let entry = all[promptID] as? [String: Any] else { return .pending }
        let status = entry["status"] as? [String: Any]
        if (status?["status_str"] as? String) == "error" {
            return .failed(errorMessage(status?["messages"] as? [Any] ?? []))
        }
        var files: [ComfyUIFile] = []
        let outputs = entry["outputs"] as? [String: Any] ?? [:]
        for node in outputs.keys.sorted(by: { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }) {
            for image in (outputs[node] as? [String: Any])?["images"] as? [[String: Any]] ?? [] {
                guard let name = image["filename"] as? String else { continue }
                files.append(ComfyUIFile(filename: name, subfolder: image["subfolder"] as? String ?? "", type: image["type"] as? String ?? "output"))
            }
        }
        if !files.isEmpty {
            return .done(files.filter { $0.type == "output" } + files.filter { $0.type != "output" })
        }
        if (status?["completed"] as? Bool) == true || (status?["status_str"] as? String) == "success" {
            return .failed("the workflow finished without an image (it needs a SaveImage node)")
        }
        return .pending
    }

    /// The `execution_error` message's node and exception, when the history gives one.
    static func errorMessage(_ messages: [Any]) -> String {
        for case let pair as [Any] in messages where pair.count == 2 && (pair[0] as? String) == "execution_error" {
            let d = pair[1] as? [String: Any] ?? [:]
            let node = [d["node_type"] as? String, (d["node_id"] as? String).map { "node \($0)" }].compactMap { $0 }.joined(separator: " ")
            let text = (d["exception_message"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "an error"
            return node.isEmpty ? "the workflow failed: \(text)" : "the workflow failed at \(node): \(text)"
        }
        return "the workflow failed (ComfyUI gave no message)"
    }
}
