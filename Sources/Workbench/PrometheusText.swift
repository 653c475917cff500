/// The Prometheus text exposition format (version 0.0.4): families with HELP and TYPE, samples
/// with escaped label values.
public struct PrometheusText {
    public private(set) var text = ""

    public init() {}

    public mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
        text += "# TYPE \(name) \(type)\n"
    }

    public mutating func sample(_ name: String, _ value: Double) { sample(name, [], value) }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.number(value))\n"
    }

    public mutating func histogram(_ name: String, _ labels: [(String, String)], _ h: Histogram) {
        var cumulative = 0
        for (i, bound) in h.bounds.enumerated() {
            cumulative += h.counts[i]
            sample("\(name)_bucket", labels + [("le", Self.number(bound))], Double(cumulative))
        }
        sample("\(name)_bucket", labels + [("le", "+Inf")], Double(h.count))
        sample("\(name)_sum", labels, h.sum)
        sample("\(name)_count", labels, Double(h.count))
    }

    static func escape(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}

/// Observations counted into fixed buckets (upper bounds, seconds for durations).
public struct Histogram: Sendable {
    public let bounds: [Double]
    public private(set) var counts: [Int]
    public private(set) var sum = 0.0
    public private(set) var count = 0

    /// From 50 ms to 2 minutes: a retouch takes about a second, a generated scene a few.
    public static let stepSeconds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    public init(bounds: [Double] = Histogram.stepSeconds) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ v: Double) {
        if let i = bounds.firstIndex(where: { v <= $0 }) { counts[i] += 1 }
        sum += v
        count += 1
    }
}
