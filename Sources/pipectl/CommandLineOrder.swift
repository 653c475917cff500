import PipelineCore

/// Arguments as people (and systemd units) write them, put in the order the parser reads them:
/// the connection's options given before the verb (`pipectl --socket S reload`) move after it,
/// where every verb takes them; a misspelt verb is answered with the nearest one.
enum CommandLineOrder {
    static let optionsWithValue: Set<String> = ["--socket"]
    static let flags: Set<String> = ["--json"]

    enum Outcome: Equatable {
        case run([String])
        case unknownVerb(String)
    }

    static func arrange(_ args: [String], verbs: [String]) -> Outcome {
        var leading: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if optionsWithValue.contains(a), i + 1 < args.count {
                leading += [a, args[i + 1]]
                i += 2
            } else if optionsWithValue.contains(where: { a.hasPrefix($0 + "=") }) || flags.contains(a) {
                leading.append(a)
                i += 1
            } else { break }
        }
        guard i < args.count else { return .run(args) }
        let verb = args[i]
        if !verb.hasPrefix("-"), !verbs.contains(verb), verb != "help" {
            return .unknownVerb("no command '\(verb)'\(Suggestion.hint(for: verb, in: verbs)) (see pipectl --help)")
        }
        return .run([verb] + leading + args[(i + 1)...])
    }
}
