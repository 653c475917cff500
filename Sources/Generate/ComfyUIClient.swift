import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// ComfyUI's HTTP routes, blocking: `POST /upload/image`, `POST /prompt`, `GET /history/{id}`, `GET /view`.
struct ComfyUIClient {
    var base: URL
    var clientID: String

    init(baseURL: String, clientID: String) throws {
        guard let u = URL(string: baseURL) else { throw GeneratorFailure("bad_url", "'\(baseURL)' is not a URL", retry: false) }
        base = u; self.clientID = clientID
    }

    /// Multipart upload to the server's input folder; answers where it put the file.
    func upload(_ data: Data, name: String, deadline: Date) throws -> ComfyUIFile {
        let form = GeneratorHTTP.multipart(fields: [("type", "input"), ("overwrite", "true")],
                                           file: (field: "image", name: name, type: "image/png", data: data))
        var req = URLRequest(url: base.appendingPathComponent("upload/image"))
        req.httpMethod = "POST"
        req.setValue(form.contentType, forHTTPHeaderField: "Content-Type")
        req.httpBody = form.body
        let r = try checked(GeneratorHTTP.send(req, deadline: deadline), "uploading \(name)")
        guard let o = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any], let stored = o["name"] as? String else {
            throw GeneratorFailure("bad_answer", "ComfyUI's answer to uploading \(name) names no file", retry: true)
        }
        return ComfyUIFile(filename: stored, subfolder: o["subfolder"] as? String ?? "", type: o["type"] as? String ?? "input")
    }

    /// Queues the filled workflow; answers its prompt id. A workflow ComfyUI refuses (HTTP 400 with
    /// `error` and `node_errors`) is not retried.
    func queue(_ workflow: [String: Any], deadline: Date) throws -> String {
        var req = URLRequest(url: base.appendingPathComponent("prompt"))
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = try JSONSerialization.data(withJSONObject: ["prompt": workflow, "client_id": clientID])
        let r = try GeneratorHTTP.send(req, deadline: deadline)
        let answer = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]
        if r.status == 400 || !((answer?["node_errors"] as? [String: Any]) ?? [:]).isEmpty {
            throw GeneratorFailure("workflow_refused", "ComfyUI refused the workflow: \(Self.refusal(answer ?? [:]))", retry: false)
        }
        _ = try checked(r, "queueing the workflow")
        guard let id = answer?["prompt_id"] as? String, !id.isEmpty else {
            throw GeneratorFailure("bad_answer", "ComfyUI's answer to /prompt has no prompt_id", retry: true)
        }
        return id
    }

    func history(_ promptID: String, deadline: Date) throws -> ComfyUIHistory {
        let url = base.appendingPathComponent("history").appendingPathComponent(promptID)
        return try ComfyUIHistory.parse(checked(GeneratorHTTP.send(URLRequest(url: url), deadline: deadline), "reading the history").body, promptID: promptID)
    }

    func view(_ file: ComfyUIFile, deadline: Date) throws -> Data {
        var parts = URLComponents(url: base.appendingPathComponent("view"), resolvingAgainstBaseURL: false)!
        parts.queryItems = [URLQueryItem(name: "filename", value: file.filename), URLQueryItem(name: "subfolder", value: file.subfolder),
                            URLQueryItem(name: "type", value: file.type)]
        return try checked(GeneratorHTTP.send(URLRequest(url: parts.url!), deadline: deadline), "fetching \(file.filename)").body
    }

    private func checked(_ r: GeneratorHTTP.Response, _ what: String) throws -> GeneratorHTTP.Response {
        guard (200..<300).contains(r.status) else {
            let text = String(decoding: r.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GeneratorFailure("http_\(r.status)", "ComfyUI answered HTTP \(r.status) \(what)\(text.isEmpty ? "" : ": \(text)")",
                                   retry: r.status >= 500 || r.status == 429)
        }
        return r
    }

    /// `{"error": {"type", "message", "details"}, "node_errors": {"<id>": {"class_type", "errors": [{"message", "details"}]}}}` in words.
    static func refusal(_ answer: [String: Any]) -> String {
        var out: [String] = []
        if let e = answer["error"] as? [String: Any] {
            out.append([e["message"] as? String, e["details"] as? String].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "))
        } else if let e = answer["error"] as? String { out.append(e) }
        let nodes = answer["node_errors"] as? [String: Any] ?? [:]
        for id in nodes.keys.sorted() {
            let n = nodes[id] as? [String: Any] ?? [:]
            let errors = (n["errors"] as? [[String: Any]] ?? []).map { e in
                [e["message"] as? String, e["details"] as? String].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            }
            out.append("node \(id)\((n["class_type"] as? String).map { " (\($0))" } ?? ""): \(errors.joined(separator: "; "))")
        }
        return out.isEmpty ? "no reason given" : out.joined(separator: "; ")
    }
}

extension ComfyUIClient {
    /// Best effort, after a timeout: takes the prompt off the queue (`POST /queue {"delete": [id]}`)
    /// so an abandoned attempt does not hold the server.
    func forget(_ promptID: String) {
        var req = URLRequest(url: base.appendingPathComponent("queue"))
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = try? JSONSerialization.data(withJSONObject: ["delete": [promptID]])
        _ = try? GeneratorHTTP.send(req, deadline: Date().addingTimeInterval(2))
    }
}
