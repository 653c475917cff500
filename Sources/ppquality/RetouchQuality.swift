import ArgumentParser
import Foundation
import Imaging
import PipelineCore
import QualityHarness
import Retouch

/// Renders the ground-truth set, runs the retouch stage on each frame exactly as the daemon does
/// (JPEG on disk → master), and measures the result against the truth.
struct RetouchQuality: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retouch",
        abstract: "Measure the retouch stage against synthetic frames whose truth is known (the default).")
    @Option(help: "Folder for the frames (and previews).") var out = NSTemporaryDirectory() + "ppquality"
    @Option(help: "Only scenes whose name starts with this.") var only: String?
    @Option(help: "Write the report as JSON here.") var json: String?
    @Flag(help: "Write each white composite and mask.") var previews = false
    @Flag(help: "Write a map of the backdrop pixels that are not exactly white, per scene.") var impureMaps = false
    @Option(name: .customLong("set"), help: "Override a config key (repeatable); shadow is none unless set.")
    var overrides: [String] = []

    func run() throws {
        try Vips.start()
        try FileManager.default.createDirectory(atPath: "\(out)/frames", withIntermediateDirectories: true)
        let base = try ConfigLoader.applying(["retouch.shadow=none"] + overrides, to: Config())
        var results: [SceneMetrics] = []
        print("scene\tflags\tconf\tIoU\tbF\tMAE\tMAEedge\tpurity\tdE00\tfill\tms")
        for scene in StandardSets.all() where only.map({ scene.name.hasPrefix($0) }) ?? true {
            let rendered = SceneRenderer.render(scene)
            let path = "\(out)/frames/\(scene.name).jpg"
            try Image(rendered.frame).saveJPEG(path, quality: scene.jpegQuality)
            var settings = base.retouch
            if scene.set == "coloured" { settings.backdropReference = scene.backdrop }
            var clock = StepClock()
            let started = DispatchTime.now()
            let output = try RetouchStage.process(original: path, settings: settings, maxPixels: base.maxPixels,
                                                  memoryLimitMB: base.workerMemoryMB, clock: &clock)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            let r = output.record
            precondition(r.frame.scale == 1, "the harness compares at full size")
            if previews {
                try output.masterImage.flattened(on: .white).saveJPEG("\(out)/\(scene.name)-white.jpg", quality: 90)
                try Image(output.mask).savePNG("\(out)/\(scene.name)-mask.png")
            }
            let m = Metrics.measure(scene: scene, truth: rendered, master: output.master, mask: output.mask, crop: r.frame.crop,
                                    flags: r.flags, confidence: r.confidence, correctedBackdrop: r.backdrop.corrected,
                                    productLongSide: r.frame.productLongSide, milliseconds: ms,
                                    impureMap: impureMaps ? "\(out)/\(scene.name)-impure.png" : nil)
            results.append(m)
            print([m.name, m.flags.isEmpty ? "-" : m.flags.joined(separator: ","), String(format: "%.2f", m.confidence),
                   String(format: "%.4f", m.iou), String(format: "%.3f", m.boundaryF), String(format: "%.4f", m.alphaMAE),
                   String(format: "%.3f", m.alphaMAEEdge), String(format: "%.5f", m.purity),
                   m.deltaE2000.map { String(format: "%.2f", $0) } ?? "-", String(format: "%.3f", m.fillRatio),
                   String(format: "%.0f", m.milliseconds)].joined(separator: "\t"))
        }

        let report = QualityReport(results)
        print(report.text)
        if let jsonPath = json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(report).write(to: URL(fileURLWithPath: jsonPath))
        }
        // Missed targets are reported, not fatal: the test suite decides what it holds the stage to.
    }
}
