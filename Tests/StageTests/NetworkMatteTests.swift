import Foundation
import Imaging
import SampleShots
import PipelineCore
import QualityHarness
import Retouch
import XCTest

/// The learned second opinion inside the retouch stage, with the real network (ONNX Runtime and
/// U²-Netp as scripts/fetch-matte-model.sh installs them) on synthetic frames whose truth is known.
final class NetworkMatteTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "network-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Vips.start()
        let s = RetouchSettings()
        for path in [s.matteRuntime, s.matteModel] where !FileManager.default.fileExists(atPath: path) {
            XCTFail("\(path) is missing: run scripts/fetch-matte-model.sh (scripts/install-deps.sh does)")
        }
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func scene(_ name: String, shape: Scene.Shape = .bottle, product: [Double] = [190, 40, 40], _ tweak: (inout Scene) -> Void = { _ in }) -> Scene {
        var s = Scene(name: name, set: "test", seed: 7, backdrop: [232, 232, 229], product: product, shape: shape)
        s.width = 900; s.height = 600; s.dust = 0
        tweak(&s)
        return s
    }

    func run(_ s: Scene, _ overrides: [String]) throws -> (SceneMetrics, RetouchStage.Output) {
        let rendered = SceneRenderer.render(s)
        let path = "\(dir)/\(s.name).jpg"
        try Image(rendered.frame).saveJPEG(path, quality: s.jpegQuality)
        let cfg = try ConfigLoader.applying(["retouch.shadow=none"] + overrides, to: Config())
        var clock = StepClock()
        let o = try RetouchStage.process(original: path, settings: cfg.retouch, maxPixels: cfg.maxPixels,
                                         memoryLimitMB: cfg.workerMemoryMB, clock: &clock)
        let m = Metrics.measure(scene: s, truth: rendered, master: o.master, mask: o.mask, crop: o.record.frame.crop, flags: o.record.flags,
                                confidence: o.record.confidence, correctedBackdrop: o.record.backdrop.corrected,
                                productLongSide: o.record.frame.productLongSide, milliseconds: 0)
        return (m, o)
    }

    func testOnAStudioFrameKeyingWinsAndTheNetworkAgrees() throws {
        let (m, o) = try run(scene("plain", shape: .chair, product: [120, 60, 140]) { $0.scale = 0.75 }, ["retouch.matte_network=on"])
        let matte = o.record.matte
        print("measured: chair with the network: IoU \(m.iou), winner \(matte.winner ?? "-"), agreement \(matte.agreement ?? -1), network \(matte.networkMs ?? -1) ms")
        XCTAssertEqual(matte.winner, "keying", "keying's detail is kept: thin legs")
        XCTAssertGreaterThanOrEqual(matte.agreement ?? 0, 0.9)
        XCTAssertGreaterThan(matte.networkMs ?? 0, 0)
        XCTAssertEqual(o.record.flags, [])
        XCTAssertGreaterThanOrEqual(m.iou, 0.985, "the chair's legs survive the fusion")
        XCTAssertNotNil(o.networkMap)
    }

    func testWhiteOnWhiteIsRightOrFlaggedAndNeverWorseThanKeyingAlone() throws {
        for (i, colour) in [[244.0, 243, 238], [250, 250, 247]].enumerated() {
            let s = scene("white-\(i)", shape: [.box, .bottle][i], product: colour) { $0.kind = .whiteOnWhite }
            let (keyed, k) = try run(s, ["retouch.matte_network=off"])
            let (fused, f) = try run(s, ["retouch.matte_network=on"])
            print("measured: white-on-white \(i): keying alone IoU \(keyed.iou) flags \(k.record.flags); with the network IoU \(fused.iou) "
                  + "winner \(f.record.matte.winner ?? "-") agreement \(f.record.matte.agreement ?? -1) flags \(f.record.flags)")
            XCTAssertFalse(k.record.flags.isEmpty, "control: keying alone is unsure here")
            XCTAssertEqual(f.record.matte.winner, "network")
            // A person sees it unless the cut-out is right.
            if fused.iou < 0.95 { XCTAssertFalse(f.record.flags.isEmpty, "a wrong cut-out passed: IoU \(fused.iou)") }
            XCTAssertGreaterThanOrEqual(fused.iou, keyed.iou - 0.01)
        }
    }

    func testAMissingOrBrokenNetworkIsAClearFailureWhenRequiredAndKeyingWhenAuto() throws {
        let s = scene("missing")
        let notThere = ["retouch.matte_runtime=\(dir)/nowhere/libonnxruntime.so"]
        // auto: not installed, keying alone, said so in the record.
        let (_, auto) = try run(s, notThere)
        XCTAssertNil(auto.record.matte.winner)
        XCTAssertNil(auto.record.matte.agreement)
        // on: the asset fails with what to do.
        XCTAssertThrowsError(try run(s, notThere + ["retouch.matte_network=on"])) { error in
            let f = error as? StepFailure
            XCTAssertEqual(f?.code, "matte_network_unavailable")
            XCTAssertTrue(f?.message.contains("fetch-matte-model.sh") ?? false, "\(error)")
        }
        // A file that is not a model, installed where the model should be.
        let fake = "\(dir)/fake.onnx"
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: fake))
        XCTAssertThrowsError(try run(s, ["retouch.matte_model=\(fake)"])) { error in
            XCTAssertEqual((error as? StepFailure)?.code, "matte_network_unavailable", "\(error)")
        }
        // Off: keying alone even though the network is installed.
        let (_, off) = try run(s, ["retouch.matte_network=off"])
        XCTAssertNil(off.record.matte.winner)
    }

    func testTheCorrectionIsBoundedAndAFlaggedPreviewStillShowsTheProduct() throws {
        // Four stops under: the correction stops at 2.5 EV and says so; the product is not blown out.
        let (m, o) = try run(scene("dark") { $0.ev = -4 }, [])
        print("measured: -4 EV frame: correction \(o.record.correction.exposureEV) EV, limit \(o.record.correction.limit ?? "-"), "
              + "product ΔE2000 change \(o.record.correction.productDeltaE ?? -1), clipped \(o.record.correction.clippedShare), IoU \(m.iou)")
        XCTAssertEqual(o.record.correction.exposureEV, 2.5, accuracy: 0.001)
        XCTAssertEqual(o.record.correction.limit, "capped")
        XCTAssertTrue(o.record.flags.contains("correction_capped"))
        XCTAssertLessThan(o.record.correction.clippedShare, 0.05, "the preview still shows the product")
        XCTAssertNotNil(o.record.correction.productDeltaE)
    }
}
