import Foundation

/// Config keys of named tables, `<prefix><name>.<field>` (`delivery.target.cdn.bucket`,
/// `generate.rule.kitchen.variants`): the field's setter applied to the table of that name,
/// made on first use.
enum NamedTables {
    static func setter<T: Sendable>(for key: String, prefix: String, what: String, fields: [String: @Sendable (inout T, TOMLValue) throws -> Void],
                                    table: WritableKeyPath<Config, [String: T]> & Sendable,
                                    make: @escaping @Sendable (String) -> T) -> ConfigLoader.Setter? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let dot = rest.lastIndex(of: "."), let set = fields[String(rest[rest.index(after: dot)...])] else { return nil }
        let name = String(rest[..<dot])
        return { config, value in
            guard Sanitizer.component(name) == name else {
                throw ConfigLoader.ValueError(message: "names a \(what) '\(name)', which is not a plain name (letters, digits, '.', '_', '-')")
            }
            var t = config[keyPath: table][name] ?? make(name)
            try set(&t, value)
            config[keyPath: table][name] = t
        }
    }
}
