import ArgumentParser
import Foundation
import Imaging
import SampleShots

@main
struct PPSample: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ppsample", abstract: "Write synthetic studio shots (product on a sweep) with SKU-style names.")
    @Option(help: "Folder to write into.") var out: String
    @Option var count = 12
    // 45 MP, as a Nikon D850 shoots: the sample's product then reaches every built-in channel's
    // size (at 3000×2000 it reached none; at 24 MP, all but Walmart's and Zalando's).
    @Option var width = 8256
    @Option var height = 5504
    @Option(help: "Views per SKU.") var views = 3
    @Option(help: "First SKU number.") var firstSku = 1001
    @Flag(help: "Plant defects (blurred, too small, clipped highlights, crushed shadows, cut off, white on white, duplicate, a prop on the sweep) in a batch of two views per SKU; prints each file's defect and the gate that must catch it.")
    var planted = false

    func run() throws {
        try Vips.start()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let shots: [PlantedDefects.Shot] = planted
            ? PlantedDefects.shots(count: count, width: width, height: height, firstSku: firstSku)
            : (0..<count).map { i in
                PlantedDefects.Shot(name: String(format: "SKU-%d_%02d.jpg", firstSku + i / views, i % views + 1),
                                    frame: StudioFrame.sample(index: i, width: width, height: height), defect: nil)
            }
        for shot in shots {
            let tmp = "\(out)/.\(shot.name).part"
            try shot.frame.write(jpeg: tmp)
            guard rename(tmp, "\(out)/\(shot.name)") == 0 else { throw SampleError("cannot write \(out)/\(shot.name)") }
            print(planted ? "\(out)/\(shot.name)\t\(shot.defect.map { "\($0.rawValue)\t\($0.gate)" } ?? "clean")" : "\(out)/\(shot.name)")
        }
    }
}

struct SampleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
