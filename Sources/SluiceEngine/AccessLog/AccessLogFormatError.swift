/// Why a `log_format` string was refused, e.g. `unknown variable "$foo" at offset 12`.
public struct AccessLogFormatError: Error, CustomStringConvertible, Sendable {
    /// The human-readable reason, including the offending text and its offset (in Unicode scalars).
    public var message: String

    /// Creates an error with the given message.
    public init(message: String) {
        self.message = message
    }

    /// The message itself.
    public var description: String { message }
}
