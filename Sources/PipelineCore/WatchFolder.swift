import Foundation

/// A folder photopipe takes frames from besides inbox/: one per tether station or share
/// (`[watch.folder.NAME]`), each with its batch rule. Claims are renames, so a watch folder lies
/// on the root's filesystem (check-config and reload say so when it does not).
public struct WatchFolder: Codable, Sendable, Equatable {
    public var name: String
    public var path: String?
    /// `{folder}` (the first folder below the watch folder; the day when the file lies at its top),
    /// `{date}` (the day the file was written, yyyy-MM-dd), `{name}` (this table's NAME), and text.
    public var batch = "{folder}"

    public init(name: String, path: String? = nil, batch: String = "{folder}") {
        self.name = name
        self.path = path
        self.batch = batch
    }

    public static let tokens: Set<String> = ["folder", "date", "name"]

    public func batchName(folder: String?, modified: Date) -> String {
        let day = InboxFilter.dayBatch(modified)
        let made = batch.replacingOccurrences(of: "{folder}", with: folder ?? day)
            .replacingOccurrences(of: "{date}", with: day).replacingOccurrences(of: "{name}", with: name)
        return Sanitizer.component(made, fallback: "unsorted")
    }

    typealias FieldSetter = @Sendable (inout WatchFolder, TOMLValue) throws -> Void

    static let fields: [String: FieldSetter] = [
        "path": { $0.path = try ConfigLoader.path($1) },
        "batch": {
            let b = try ConfigLoader.string($1)
            var rest = Substring(b)
            while let open = rest.firstIndex(of: "{") {
                guard let close = rest[open...].firstIndex(of: "}") else { throw ConfigLoader.ValueError(message: "'{' is never closed in '\(b)'") }
                let token = String(rest[rest.index(after: open)..<close])
                guard tokens.contains(token) else {
                    throw ConfigLoader.ValueError(message: "has an unknown token {\(token)}\(Suggestion.hint(for: token, in: tokens.sorted())); known: {folder}, {date}, {name}")
                }
                rest = rest[rest.index(after: close)...]
            }
            guard !b.isEmpty else { throw ConfigLoader.ValueError(message: "must not be empty") }
            $0.batch = b
        },
    ]

    static func setter(for key: String) -> ConfigLoader.Setter? {
        NamedTables.setter(for: key, prefix: "watch.folder.", what: "watch folder", fields: fields, table: \.watchFolders, make: { WatchFolder(name: $0) })
    }

    static func problems(_ folders: [String: WatchFolder], root: String) -> [String] {
        var out: [String] = []
        for f in folders.values.sorted(by: { $0.name < $1.name }) {
            guard let path = f.path else { out.append("[watch.folder.\(f.name)]: a watch folder needs path"); continue }
            let inbox = "\(root)/inbox"
            if path == root || path.hasPrefix(root + "/") || inbox.hasPrefix(path + "/") {
                out.append("[watch.folder.\(f.name)]: path \(path) overlaps the root \(root); the root's inbox/ is watched already")
            }
        }
        return out
    }
}
