/// Why a `log_format` string was refused, e.g. `unknown variable "$foo" at offset 12`.
package struct AccessLogFormatError: Error, CustomStringConvertible, Sendable {
    /// The human-readable reason, including the offending text and its offset (in Unicode scalars).
    package var message: String

    /// Creates an error with the given message.
    package init(message: String) {
        self.message = message
    }

    /// The message itself.
    package var description: String { message }
}
