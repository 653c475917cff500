/// An external generator's attempt that gave no usable image. `retry`: worth another attempt
/// (down, slow, a server error, a crash); not: the request itself is wrong (a refused workflow,
/// a missing executable), and retrying would only fail the same way.
public struct GeneratorFailure: Error, CustomStringConvertible, Sendable, Equatable {
    public var code: String
    public var message: String
    public var retry: Bool
    public var description: String { message }
    public init(_ code: String, _ message: String, retry: Bool) { self.code = code; self.message = message; self.retry = retry }
}
