import Foundation

/// A small TOML reader for the daemon's config: tables, dotted table headers,
/// strings, integers, floats, booleans and arrays of those. Every value keeps
/// the line it was written on, so config errors can name key and line.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])

    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .bool: "boolean"
        case .array: "array"
        }
    }
}

public struct TOMLEntry: Equatable, Sendable {
    public let key: String   // full dotted path, e.g. "watch.settle_seconds"
    public let value: TOMLValue
    public let line: Int
}

public struct TOMLError: Error, Equatable, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

public enum TOML {
    public static func parse(_ text: String) throws -> [TOMLEntry] {
        var parser = Parser(chars: Array(text))
        return try parser.document()
    }

    private struct Parser {
        let chars: [Character]
        var i = 0
        var line = 1
        var table = ""
        var seen: Set<String> = []
        var entries: [TOMLEntry] = []

        init(chars: [Character]) { self.chars = chars }

        func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }
        var peek: Character? { i < chars.count ? chars[i] : nil }

        mutating func advance() {
            if chars[i] == "\n" { line += 1 }
            i += 1
        }

        mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { advance() } }

        /// Skips spaces, comments and newlines (inside arrays).
        mutating func skipBlank() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
                else if c == "#" { while let d = peek, d != "\n" { advance() } }
                else { break }
            }
        }

        mutating func endOfLine() throws {
            skipSpaces()
            if peek == "#" { while let d = peek, d != "\n" { advance() } }
            if peek == "\r" { advance() }
            if let c = peek {
                guard c == "\n" else { throw fail("unexpected '\(c)' after value") }
                advance()
            }
        }

        mutating func document() throws -> [TOMLEntry] {
            while true {
                skipBlank()
                guard let c = peek else { break }
                if c == "[" {
                    advance()
                    if peek == "[" { throw fail("arrays of tables are not supported here") }
                    skipSpaces()
                    let name = try dottedKey()
                    skipSpaces()
                    guard peek == "]" else { throw fail("expected ']' to close the table header") }
                    advance()
                    if seen.contains("[\(name)]") { throw fail("table [\(name)] is defined twice") }
                    seen.insert("[\(name)]")
                    table = name
                    try endOfLine()
                } else {
                    let keyLine = line
                    let key = try dottedKey()
                    skipSpaces()
                    guard peek == "=" else { throw fail("expected '=' after key '\(key)'") }
                    advance()
                    skipSpaces()
                    let value = try self.value()
                    let full = table.isEmpty ? key : "\(table).\(key)"
                    if seen.contains(full) { throw TOMLError(line: keyLine, message: "key '\(full)' is defined twice") }
                    seen.insert(full)
                    entries.append(TOMLEntry(key: full, value: value, line: keyLine))
                    try endOfLine()
                }
            }
            return entries
        }

        mutating func dottedKey() throws -> String {
            var parts: [String] = []
            repeat {
                skipSpaces()
                if peek == "\"" { parts.append(try basicString()) }
                else {
                    var s = ""
                    while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" { s.append(c); advance() }
                    guard !s.isEmpty else { throw fail("expected a key") }
                    parts.append(s)
                }
                skipSpaces()
                if peek == "." { advance() } else { break }
            } while true
            return parts.joined(separator: ".")
        }

        mutating func value() throws -> TOMLValue {
            guard let c = peek else { throw fail("expected a value") }
            switch c {
            case "\"": return .string(try basicString())
            case "'": return .string(try literalString())
            case "[": return try array()
            case "{": throw fail("inline tables are not supported; use a [table] header")
            case "t", "f": return try boolean()
            default: return try number()
            }
        }

        mutating func basicString() throws -> String {
            advance() // opening quote
            var s = ""
            while let c = peek {
                if c == "\"" { advance(); return s }
                if c == "\n" { break }
                if c == "\\" {
                    advance()
                    guard let e = peek else { break }
                    advance()
                    switch e {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "r": s.append("\r")
                    case "\\": s.append("\\")
                    case "\"": s.append("\"")
                    case "u", "U":
                        let n = e == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<n { if let h = peek { hex.append(h); advance() } }
                        guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw fail("bad unicode escape \\\(e)\(hex)")
                        }
                        s.unicodeScalars.append(scalar)
                    default: throw fail("unknown escape \\\(e) in string")
                    }
                    continue
                }
                s.append(c)
                advance()
            }
            throw fail("unterminated string")
        }

        mutating func literalString() throws -> String {
            advance()
            var s = ""
            while let c = peek {
                if c == "'" { advance(); return s }
                if c == "\n" { break }
                s.append(c)
                advance()
            }
            throw fail("unterminated string")
        }

        mutating func array() throws -> TOMLValue {
            advance()
            var items: [TOMLValue] = []
            while true {
                skipBlank()
                if peek == "]" { advance(); return .array(items) }
                items.append(try value())
                skipBlank()
                if peek == "," { advance(); continue }
                skipBlank()
                guard peek == "]" else { throw fail("expected ',' or ']' in array") }
            }
        }

        mutating func boolean() throws -> TOMLValue {
            var s = ""
            while let c = peek, c.isLetter { s.append(c); advance() }
            switch s {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw fail("'\(s)' is not a value (strings need quotes)")
            }
        }

        mutating func number() throws -> TOMLValue {
            var s = ""
            while let c = peek, c.isNumber || "+-._eE".contains(c) || c.isLetter { s.append(c); advance() }
            let plain = s.replacingOccurrences(of: "_", with: "")
            if let n = Int(plain) { return .integer(n) }
            if plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(plain), d.isFinite {
                return .float(d)
            }
            throw fail(s.isEmpty ? "expected a value" : "'\(s)' is not a value (strings need quotes)")
        }
    }
}

