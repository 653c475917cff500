import Foundation

/// A ComfyUI workflow in API format (`{"<node id>": {"class_type": …, "inputs": {…}}, …}`) whose
/// string values hold placeholders photopipe fills: `{{image}}`, `{{mask}}`, `{{prompt}}`,
/// `{{negative_prompt}}` (text, also inside a longer string), and `{{seed}}`, `{{width}}`,
/// `{{height}}` (a string that is exactly the placeholder becomes a JSON integer).
public struct WorkflowTemplate: Sendable {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static let textPlaceholders = ["image", "mask", "prompt", "negative_prompt"]
    public static let integerPlaceholders = ["seed", "width", "height"]
    /// A workflow without these cannot make a variant of this product.
    public static let required = ["image", "prompt"]

    /// The file as read (parsed again for every fill, so nothing non-Sendable is kept).
    public let json: Data
    public let path: String
    /// Placeholder names found, sorted.
    public let placeholders: [String]

    public static func load(path: String) throws -> WorkflowTemplate {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(message: "workflow \(path) cannot be read")
        }
        return try WorkflowTemplate(json: data, path: path)
    }

    public init(json: Data, path: String) throws {
        let tree: Any
        do { tree = try JSONSerialization.jsonObject(with: json) } catch {
            throw Problem(message: "workflow \(path) is not JSON (\(Self.reason(error))); export it from ComfyUI with \"Save (API Format)\"")
        }
        guard let nodes = tree as? [String: Any], !nodes.isEmpty,
              nodes.values.allSatisfy({ ($0 as? [String: Any])?["class_type"] is String }) else {
            throw Problem(message: "workflow \(path) is JSON but not ComfyUI's API format (an object of nodes, each with a class_type); export it with \"Save (API Format)\"")
        }
        var found = Set<String>()
        try Self.visit(tree) { text in
            for name in Self.names(in: text) {
                guard Self.textPlaceholders.contains(name) || Self.integerPlaceholders.contains(name) else {
                    throw Problem(message: "workflow \(path) has an unknown placeholder {{\(name)}}; known: \((Self.textPlaceholders + Self.integerPlaceholders).map { "{{\($0)}}" }.joined(separator: ", "))")
                }
                found.insert(name)
            }
        }
        for name in Self.required where !found.contains(name) {
            throw Problem(message: "workflow \(path) has no {{\(name)}} placeholder: photopipe could not pass the \(name == "image" ? "product image" : "prompt") to it")
        }
        self.json = json; self.path = path; self.placeholders = found.sorted()
    }

    /// The workflow with every placeholder replaced, as JSON for `/prompt`'s `prompt` field.
    public func filled(text: [String: String], integers: [String: Int]) throws -> [String: Any] {
        let tree = try JSONSerialization.jsonObject(with: json)
        func fill(_ node: Any) -> Any {
            if let object = node as? [String: Any] { return object.mapValues(fill) }
            if let array = node as? [Any] { return array.map(fill) }
            guard let s = node as? String, s.contains("{{") else { return node }
            if s.hasPrefix("{{"), s.hasSuffix("}}"), let n = integers[String(s.dropFirst(2).dropLast(2))] { return n }
            var out = s
            for (name, value) in text { out = out.replacingOccurrences(of: "{{\(name)}}", with: value) }
            for (name, value) in integers { out = out.replacingOccurrences(of: "{{\(name)}}", with: String(value)) }
            return out
        }
        guard let filled = fill(tree) as? [String: Any] else { throw Problem(message: "workflow \(path) is not an object") }
        return filled
    }

    /// `{{name}}` occurrences in a string.
    static func names(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            out.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func visit(_ node: Any, _ body: (String) throws -> Void) throws {
        if let object = node as? [String: Any] { for v in object.values { try visit(v, body) } }
        else if let array = node as? [Any] { for v in array { try visit(v, body) } }
        else if let s = node as? String { try body(s) }
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
