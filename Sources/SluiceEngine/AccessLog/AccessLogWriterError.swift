/// Why an access log file could not be opened.
package struct AccessLogWriterError: Error, CustomStringConvertible, Sendable {
    /// The file that was to be opened.
    package var path: String
    /// What went wrong (the system's error text).
    package var reason: String

    /// Creates an error for `path`.
    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `cannot open access log <path>: <reason>`.
    package var description: String { "cannot open access log \(path): \(reason)" }
}
