/// "Did you mean …?" for a misspelt name: the closest of the known names by edit distance, when
/// it is close enough to be a slip of the keyboard rather than another word.
public enum Suggestion {
    /// Levenshtein distance, counting a swap of two neighbours as one edit (`stauts` → `status`).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var before = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { current[j] = min(current[j], before[j - 2] + 1) }
            }
            before = previous
            previous = current
        }
        return previous[y.count]
    }

    /// The known names nearest to `word` (ties together), if at most a third of its letters (and
    /// at least one) differ from the whole name or from its first part (`amazn` → `amazon-main`).
    public static func closest(to word: String, in known: [String]) -> [String] {
        let limit = max(1, word.count / 3)
        let names = Set(known).subtracting([word])
        func nearest(_ score: (String) -> Int) -> [String] {
            let scored = names.map { ($0, score($0)) }.filter { $0.1 <= limit }
            guard let best = scored.map(\.1).min() else { return [] }
            return scored.filter { $0.1 == best }.map(\.0).sorted()
        }
        let whole = nearest { distance(word, $0) }
        if !whole.isEmpty { return whole }
        return nearest { name in
            guard let head = name.split(whereSeparator: { $0 == "-" || $0 == "_" }).first, head.count < name.count else { return Int.max }
            return distance(word, String(head))
        }
    }

    /// `; did you mean 'x'?` (or `'x' or 'y'`), or nothing.
    public static func hint(for word: String, in known: [String]) -> String {
        let names = closest(to: word, in: known).prefix(3)
        return names.isEmpty ? "" : "; did you mean " + names.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }
}
