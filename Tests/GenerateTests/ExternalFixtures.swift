import Foundation
import Generate
import Imaging
import PipelineCore
import XCTest

/// A small synthetic product for the external generators' tests: a red tin with a cream label and
/// two grey bars of "text" on it, 60×100 px in a 120×160 master, and the stand-ins that play generators.
enum ExternalFixtures {
    static let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support").path
    static let workflow = "\(support)/scene-workflow.json"
    static let side = 200

    static func tin() throws -> MasterProduct {
        try Vips.start()
        let w = 120, h = 160
        var master = PixelBuffer(width: w, height: h, bands: 4), mask = PixelBuffer(width: w, height: h, bands: 1)
        for y in 30..<130 { for x in 30..<90 {
            let i = y * w + x
            var c: [UInt8] = [200, 30, 40]
            if (60..<100).contains(y) { c = [240, 235, 220] }
            if (72..<75).contains(y) || (82..<85).contains(y), (38..<82).contains(x) { c = [70, 60, 60] }
            master.data[i * 4] = c[0]; master.data[i * 4 + 1] = c[1]; master.data[i * 4 + 2] = c[2]; master.data[i * 4 + 3] = 255
            mask.data[i] = 255
        } }
        return MasterProduct(master: try Image(master), mask: try Image(mask), productBox: [30, 30, 60, 100])
    }

    static func rule(_ generator: GenerateSettings.Generator, keepProduct: Bool = true, attempts: Int = 1, timeout: Double = 5) -> GenerateSettings.Rule {
        var r = GenerateSettings.Rule(name: "lifestyle")
        r.generator = generator
        r.workflow = workflow
        r.prompt = "{catalog.title} on {scene}"
        r.keepProduct = keepProduct
        r.attempts = attempts
        r.timeoutSeconds = timeout
        r.backoffSeconds = 0.05
        return r
    }

    static func request(_ product: MasterProduct, keepProduct: Bool = true) throws -> ExternalRequest {
        ExternalRequest(variant: "TIN-1-kitchen-0a1b2c3d", rule: "lifestyle", sku: "TIN-1", batch: "2026-11-30", view: 1,
                        catalog: ["title": "Red tin"], scene: "a kitchen counter", prompt: "Red tin on a kitchen counter",
                        negativePrompt: "blurry", seed: 42, placement: try ExternalCanvas.placement(product: product, side: side),
                        keepProduct: keepProduct)
    }

    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "pp-external-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The ComfyUI stand-in (Support/comfyui_standin.py, not ComfyUI) on a free port, stopped with the test.
final class ComfyUIStandIn {
    let process = Process()
    let port: Int
    let log: String
    var url: String { "http://127.0.0.1:\(port)" }

    init(mode: String) throws {
        log = NSTemporaryDirectory() + "pp-standin-\(UUID().uuidString.prefix(8)).log"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(ExternalFixtures.support)/comfyui_standin.py", mode, log]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let p = Int(String(decoding: line, as: UTF8.self)) else { throw GenerateError("standin", "the stand-in did not start") }
        port = p
    }

    /// What the stand-in was sent, one JSON object per request.
    func requests() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    deinit {
        // Not SIGTERM: a test that ran a daemon in this process left SIGTERM ignored, and the
        // stand-in inherits that.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: log)
    }
}
