import Foundation
import PipelineCore

/// The `command` generator: runs the executable in the attempt's folder with `request.json` as its
/// one argument; it writes `output.png` or `output.jpg` there and exits 0. See docs/generate.md.
struct CommandGenerator: ExternalGenerator {
    var command: String

    var label: String { "command \(command)" }
    static let requestFile = "request.json"
    static let outputs = ["output.png", "output.jpg"]
    static let stderrTail = 400

    func attempt(_ r: ExternalRequest, folder: String, deadline: Date) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(r).write(to: URL(fileURLWithPath: "\(folder)/\(Self.requestFile)"))
        let env = ProcessInfo.processInfo.environment
        var environment = ["PATH": env["PATH"] ?? "/usr/bin:/bin", "LANG": env["LANG"] ?? "C.UTF-8", "PHOTOPIPE_REQUEST": "\(folder)/\(Self.requestFile)"]
        if let home = env["HOME"] { environment["HOME"] = home }
        let outcome = try ChildProcess.run(command, arguments: [Self.requestFile], folder: folder, environment: environment,
                                           stdout: "\(folder)/stdout.txt", stderr: "\(folder)/stderr.txt", deadline: deadline)
        let tail = Self.tail("\(folder)/stderr.txt")
        let said = tail.isEmpty ? "" : "; stderr: \(tail)"
        switch outcome {
        case .timedOut: throw GeneratorFailure("timeout", "\(command) did not finish in time and was killed\(said)", retry: true)
        case .signalled(let s): throw GeneratorFailure("command_failed", "\(command) was killed by signal \(s)\(said)", retry: true)
        case .exited(let code) where code != 0: throw GeneratorFailure("command_failed", "\(command) exited with status \(code)\(said)", retry: true)
        case .exited:
            guard let out = Self.outputs.first(where: { FileManager.default.fileExists(atPath: "\(folder)/\($0)") }) else {
                throw GeneratorFailure("no_output", "\(command) exited 0 but wrote neither \(Self.outputs.joined(separator: " nor "))\(said)", retry: true)
            }
            return "\(folder)/\(out)"
        }
    }

    /// The end of what the command said on stderr, on one line.
    static func tail(_ path: String) -> String {
        guard let d = FileManager.default.contents(atPath: path), !d.isEmpty else { return "" }
        let text = String(decoding: d.suffix(stderrTail * 4), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " | ")
        return String(line.suffix(stderrTail))
    }
}
