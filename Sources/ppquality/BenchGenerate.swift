import ArgumentParser
import Foundation
import Generate
import Imaging
import PipelineCore
import Retouch
import SampleShots

/// Times the built-in scene compositor the way the generate stage runs it: composite, write the JPEG,
/// read it back and measure fidelity, one variant after another, on square outputs.
struct BenchGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-generate",
        abstract: "Time scene variants (composite + JPEG + fidelity) at a square output size.")
    @Option(help: "Variants to make.") var variants = 20
    @Option(help: "Output side in pixels.") var size = 2000
    @Option(help: "Folder of plates with sidecars.") var plates = "examples/plates"
    @Option(help: "Folder for the master and the variants.") var out = NSTemporaryDirectory() + "ppquality-generate"
    @Option(help: "libvips threads (0: one per core).") var threads = 0
    @Flag(help: "Print each variant's step timings.") var steps = false
    @Option(help: "A retouched asset or `photopiped process` folder to use as the master (default: a synthetic shot retouched now).")
    var master: String?

    func run() throws {
        try Vips.start(threads: threads)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let product = try master.map { try Self.open($0) } ?? makeMaster()
        let library = try SceneLibrary.load(folder: plates)
        let squares = try library.plates.map { try squarePlate($0) }
        print("machine: \(Self.cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores, libvips threads \(Vips.threads)")
        print("master: \(product.master.width)×\(product.master.height), product box \(product.productBox); plates: \(squares.map(\.name).joined(separator: ", "))")
        print("load average at start: \(Self.loadAverage())")
        print("variant\tplate\tms\tcpu_ms\tcompose_ms\tencode_ms\tfidelity_ms\tscale\tmean_dE\tp95_dE\tmax_dE")
        var totals: [Double] = [], composes: [Double] = [], cpus: [Double] = []
        for i in 0..<variants {
            let plate = squares[i % squares.count]
            var options = SceneCompositor.Options(targetLongSide: size)
            options.seed = UInt64(i)
            let started = DispatchTime.now().uptimeNanoseconds, cpuStarted = Self.cpuMilliseconds()
            let record = try SceneVariant.render(product, on: plate, options: options, to: "\(out)/variant-\(i).jpg")
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            let cpu = Self.cpuMilliseconds() - cpuStarted
            cpus.append(cpu)
            let compose = ["placement", "plate", "product", "match", "shadows", "compose"].reduce(0) { $0 + (record.timings[$1] ?? 0) }
            totals.append(ms); composes.append(compose)
            if steps { print(record.timings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            precondition(record.placement.outputWidth == size && record.placement.outputHeight == size, "output \(record.placement.outputWidth)×\(record.placement.outputHeight)")
            print([String(i), plate.name, String(format: "%.0f", ms), String(format: "%.0f", cpu), String(format: "%.0f", compose),
                   String(format: "%.0f", record.timings["encode"] ?? 0), String(format: "%.0f", record.timings["fidelity"] ?? 0),
                   String(format: "%.3f", record.placement.scale), String(format: "%.3f", record.fidelity.meanDeltaE),
                   String(format: "%.3f", record.fidelity.p95DeltaE), String(format: "%.2f", record.fidelity.maxDeltaE)].joined(separator: "\t"))
        }
        func quantile(_ v: [Double], _ q: Double) -> Double { let s = v.sorted(); return s[min(s.count - 1, Int(Double(s.count - 1) * q + 0.5))] }
        print(String(format: "per %d×%d variant over %d: median %.0f ms, p95 %.0f ms wall; CPU time median %.0f ms, p95 %.0f ms (compositing alone: median %.0f ms, p95 %.0f ms wall)",
                     size, size, variants, quantile(totals, 0.5), quantile(totals, 0.95), quantile(cpus, 0.5), quantile(cpus, 0.95),
                     quantile(composes, 0.5), quantile(composes, 0.95)))
        print("load average at end: \(Self.loadAverage()) (other work on the machine stretches wall time)")
    }

    /// A synthetic studio shot through the retouch stage, large enough that a 2000-pixel scene needs no upscaling.
    func makeMaster() throws -> MasterProduct {
        var frame = StudioFrame(width: 3600, height: 3600)
        frame.productScale = 0.7
        try frame.write(jpeg: "\(out)/shot.jpg")
        var settings = Config().retouch
        settings.matteNetwork = .off
        var clock = StepClock()
        let output = try RetouchStage.process(original: "\(out)/shot.jpg", settings: settings, maxPixels: 100_000_000, memoryLimitMB: 4096, clock: &clock)
        try output.masterImage.saveMasterTIFF("\(out)/master.tif")
        try Image(output.mask).savePNG("\(out)/mask.png")
        return try MasterProduct.open(assetDir: out, retouch: output.record)
    }

    /// The master of a folder whose manifest carries the retouch record under `master`.
    static func open(_ folder: String) throws -> MasterProduct {
        struct Head: Decodable { var master: MasterInfo? }
        let head = try ManifestStore.decoder().decode(Head.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(ManifestStore.fileName)")))
        guard let m = head.master, let retouch = m.retouch else { throw ValidationError("\(folder) has no retouched master") }
        return try MasterProduct.open(assetDir: folder, retouch: retouch, masterFile: m.file)
    }

    /// The plate cut to a square as tall as it is, around its contact point, with its sidecar.
    func squarePlate(_ p: ScenePlate) throws -> ScenePlate {
        let side = min(p.width, p.height)
        let spot = p.contact.point(u: 0.5)
        let x0 = max(0, min(p.width - side, Int(spot.x) - side / 2)), y0 = max(0, min(p.height - side, Int(spot.y) - side / 2 - side / 4))
        try Image.open(p.imagePath).cropped(x: x0, y: y0, width: side, height: side).saveJPEG("\(out)/\(p.name).jpg", quality: 92)
        var square = p
        square.imagePath = "\(out)/\(p.name).jpg"
        square.width = side; square.height = side
        square.contact = .point(x: spot.x - Double(x0), y: spot.y - Double(y0))
        square.scale = .init(pxPerCm: nil, productHeightShare: p.scale.productHeightShare ?? 0.4)
        square.occluderPath = nil
        return square
    }

    /// User and system time of this process so far, all threads.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return ms(usage.ru_utime) + ms(usage.ru_stime)
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }
}
