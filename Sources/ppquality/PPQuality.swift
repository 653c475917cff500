import ArgumentParser

/// Measurements of the image stages that the test suite and the benches rely on.
@main
struct PPQuality: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ppquality",
        abstract: "Measure the image stages: retouch quality (default) and the scene compositor's speed.",
        subcommands: [RetouchQuality.self, BenchGenerate.self, CalibrateRedrawn.self], defaultSubcommand: RetouchQuality.self)
}
