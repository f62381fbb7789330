/// An nginx configuration that cannot be read: a syntax error, an unreadable file, an include loop.
public struct NginxSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line: message`.
    public var description: String { "\(location): \(message)" }
}
