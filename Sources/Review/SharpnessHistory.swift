import PipelineCore

/// Outline sharpness of frames already decided, kept per frame size. Sharpness is measured in
/// master pixels, so it depends on the resolution: a frame is compared only with frames of the
/// same size (the same camera set-up), never a 24 MP shot with a 1 MP one.
public struct SharpnessHistory: Codable, Sendable, Equatable {
    public private(set) var values: [String: [Double]] = [:]
    /// Most values kept per size (the oldest go first); nil keeps all.
    public var limit: Int?

    public init(limit: Int? = nil) { self.limit = limit }

    public static func key(_ m: Manifest) -> String? {
        guard let s = m.source else { return nil }
        return "\(max(s.width, s.height))x\(min(s.width, s.height))"
    }

    public mutating func add(_ m: Manifest) {
        guard let s = m.master?.retouch?.quality?.sharpness, let k = Self.key(m) else { return }
        add(key: k, value: s)
    }

    /// One frame's sharpness under its size key (from `key(_:)`).
    public mutating func add(key k: String, value s: Double) {
        values[k, default: []].append(s)
        if let limit, values[k]!.count > limit { values[k]!.removeFirst(values[k]!.count - limit) }
    }

    /// The values of frames the size of this one.
    public func like(_ m: Manifest) -> [Double] { Self.key(m).flatMap { values[$0] } ?? [] }
}
