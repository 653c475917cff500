import Foundation
import PipelineCore

/// One attempt through ComfyUI: upload the canvas and mask, queue the workflow with its
/// placeholders filled, poll the history until an image is listed (or the deadline), fetch it.
struct ComfyUIGenerator: ExternalGenerator {
    var url: String
    var workflow: WorkflowTemplate
    var pollInterval = 0.25

    var label: String { "comfyui at \(url)" }

    func attempt(_ r: ExternalRequest, folder: String, deadline: Date) throws -> String {
        let client = try ComfyUIClient(baseURL: url, clientID: "photopipe-\(r.variant)")
        func read(_ name: String) throws -> Data {
            guard let d = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
                throw GeneratorFailure("io_error", "cannot read \(folder)/\(name)", retry: false)
            }
            return d
        }
        let image = try client.upload(read(r.input), name: "photopipe-\(r.variant)-input.png", deadline: deadline)
        let mask = try client.upload(read(r.mask), name: "photopipe-\(r.variant)-mask.png", deadline: deadline)
        let filled: [String: Any]
        do {
            filled = try workflow.filled(text: ["image": Self.reference(image), "mask": Self.reference(mask),
                                                "prompt": r.prompt, "negative_prompt": r.negativePrompt],
                                         integers: ["seed": Int(truncatingIfNeeded: r.seed), "width": r.width, "height": r.height])
        } catch { throw GeneratorFailure("bad_workflow", "\(error)", retry: false) }
        let id = try client.queue(filled, deadline: deadline)
        while true {
            switch try client.history(id, deadline: deadline) {
            case .failed(let why): throw GeneratorFailure("generator_error", "ComfyUI prompt \(id): \(why)", retry: true)
            case .done(let files):
                let data = try client.view(files[0], deadline: deadline)
                let ext = (files[0].filename as NSString).pathExtension.lowercased()
                let path = "\(folder)/output.\(["png", "jpg", "jpeg", "webp"].contains(ext) ? ext : "png")"
                guard FileManager.default.createFile(atPath: path, contents: data) else {
                    throw GeneratorFailure("io_error", "cannot write \(path)", retry: false)
                }
                return path
            case .pending:
                guard Date().addingTimeInterval(pollInterval) < deadline else {
                    client.forget(id)
                    throw GeneratorFailure("timeout", "ComfyUI did not finish prompt \(id) in time (history still without an image)", retry: true)
                }
                Thread.sleep(forTimeInterval: pollInterval)
            }
        }
    }

    /// LoadImage's value for an uploaded file: `subfolder/name` when the server put it in a subfolder.
    static func reference(_ f: ComfyUIFile) -> String { f.subfolder.isEmpty ? f.filename : "\(f.subfolder)/\(f.filename)" }
}
