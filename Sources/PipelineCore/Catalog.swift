import Foundation

/// The studio's product list: a CSV with a header row and at least a `sku` column.
/// Optional columns: handle, gtin, asin, color/colour, title, alt_text; other columns are kept too.
public struct Catalog: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var sku: String
        public var fields: [String: String]
    }

    public private(set) var rows: [String: Row] = [:]   // keyed by lowercased SKU
    private var byGTIN: [String: String] = [:]           // gtin-14 → lowercased SKU

    public var count: Int { rows.count }

    public func row(sku: String) -> Row? { rows[sku.lowercased()] }

    public func sku(forGTIN digits: String) -> String? {
        guard let g = Catalog.gtin14(digits), let key = byGTIN[g] else { return nil }
        return rows[key]?.sku
    }

    public struct LoadError: Error, CustomStringConvertible, Equatable, Sendable {
        public let line: Int
        public let message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    public static func load(path: String) throws -> Catalog {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) }
        catch { throw LoadError(line: 0, message: "cannot read \(path): \(error.localizedDescription)") }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> Catalog {
        let records = try CSV.parse(text)
        guard let (headerLine, header) = records.first else { throw LoadError(line: 1, message: "the catalogue is empty; it needs a header row with a 'sku' column") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_") }
        guard let skuIndex = names.firstIndex(of: "sku") else {
            throw LoadError(line: headerLine, message: "no 'sku' column in the header (found: \(names.joined(separator: ", ")))")
        }
        var catalog = Catalog()
        for (line, record) in records.dropFirst() {
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.count == names.count else {
                throw LoadError(line: line, message: "\(record.count) fields, but the header has \(names.count)")
            }
            let sku = record[skuIndex].trimmingCharacters(in: .whitespaces)
            guard !sku.isEmpty else { throw LoadError(line: line, message: "empty sku") }
            guard Sanitizer.component(sku) == sku else {
                throw LoadError(line: line, message: "sku '\(sku.prefix(40))' may only hold letters, digits, '.', '_' and '-'")
            }
            guard catalog.rows[sku.lowercased()] == nil else { throw LoadError(line: line, message: "sku '\(sku)' appears twice") }
            var fields: [String: String] = [:]
            for (i, name) in names.enumerated() where i != skuIndex { fields[name == "colour" ? "color" : name] = record[i] }
            if let g = fields["gtin"], !g.isEmpty {
                guard let g14 = gtin14(g) else { throw LoadError(line: line, message: "gtin '\(g.prefix(20))' is not a valid GTIN-8/12/13/14 (digits and check digit)") }
                fields["gtin14"] = g14
                catalog.byGTIN[g14] = sku.lowercased()
            }
            catalog.rows[sku.lowercased()] = Row(sku: sku, fields: fields)
        }
        return catalog
    }

    /// A GTIN-8/12/13/14 padded to 14 digits, if its check digit is right.
    public static func gtin14(_ raw: String) -> String? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard [8, 12, 13, 14].contains(s.count), s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber) else { return nil }
        let padded = String(repeating: "0", count: 14 - s.count) + s
        let digits = padded.compactMap { $0.wholeNumberValue }
        var sum = 0
        for (i, d) in digits.prefix(13).enumerated() { sum += d * (i % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10 == digits[13] ? padded : nil
    }
}

/// RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. Records keep their starting line.
public enum CSV {
    public static func parse(_ text: String) throws -> [(Int, [String])] {
        var records: [(Int, [String])] = []
        var field = "", record: [String] = []
        var inQuotes = false, line = 1, recordLine = 1, afterQuote = false
        var it = Array(text.unicodeScalars.map(Character.init))[...]
        if it.first == "\u{FEFF}" { it = it.dropFirst() }
        var i = it.startIndex
        while i < it.endIndex {
            let c = it[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < it.endIndex && it[i + 1] == "\"" { field.append("\""); i += 1 }
                    else { inQuotes = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard field.isEmpty && !afterQuote else { throw Catalog.LoadError(line: line, message: "a quote inside an unquoted field") }
                    inQuotes = true
                case ",":
                    record.append(field); field = ""; afterQuote = false
                case "\r":
                    break
                case "\n":
                    record.append(field); records.append((recordLine, record))
                    field = ""; record = []; afterQuote = false
                    line += 1; recordLine = line
                default:
                    guard !afterQuote else { throw Catalog.LoadError(line: line, message: "text after a closing quote") }
                    field.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw Catalog.LoadError(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append((recordLine, record)) }
        return records
    }
}
