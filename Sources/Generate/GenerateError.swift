/// A variant that cannot be made from its inputs, with a machine-readable reason and a sentence for a person.
public struct GenerateError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String
    public var message: String
    public var description: String { message }
    public init(_ reason: String, _ message: String) { self.reason = reason; self.message = message }
}
