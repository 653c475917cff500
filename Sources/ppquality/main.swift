import Foundation
import Imaging
import PipelineCore
import QualityHarness
import Retouch

// ppquality: renders the ground-truth set, runs the retouch stage on each frame exactly as the
// daemon does (JPEG on disk → master), and measures the result against the truth.
// Usage: ppquality [--out DIR] [--only NAME-PREFIX] [--json FILE] [--previews] [--set retouch.KEY=VALUE]…

var out = NSTemporaryDirectory() + "ppquality"
var only: String?
var jsonPath: String?
var previews = false
var overrides = ["retouch.shadow=none"]
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--out": out = args.popFirst() ?? out
    case "--only": only = args.popFirst()
    case "--json": jsonPath = args.popFirst()
    case "--previews": previews = true
    case "--set": if let v = args.popFirst() { overrides.append(v) }
    default:
        FileHandle.standardError.write(Data("ppquality: unknown argument \(a)\n".utf8)); exit(2)
    }
}

try Vips.start()
try FileManager.default.createDirectory(atPath: "\(out)/frames", withIntermediateDirectories: true)
let base = try ConfigLoader.applying(overrides, to: Config())
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
                            productLongSide: r.frame.productLongSide, milliseconds: ms)
    results.append(m)
    print([m.name, m.flags.isEmpty ? "-" : m.flags.joined(separator: ","), String(format: "%.2f", m.confidence),
           String(format: "%.4f", m.iou), String(format: "%.3f", m.boundaryF), String(format: "%.4f", m.alphaMAE),
           String(format: "%.3f", m.alphaMAEEdge), String(format: "%.5f", m.purity),
           m.deltaE2000.map { String(format: "%.2f", $0) } ?? "-", String(format: "%.3f", m.fillRatio),
           String(format: "%.0f", m.milliseconds)].joined(separator: "\t"))
}

let report = QualityReport(results)
print(report.text)
if let jsonPath {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try enc.encode(report).write(to: URL(fileURLWithPath: jsonPath))
}
// Missed targets are reported, not fatal: the test suite decides what it holds the stage to.
exit(0)
