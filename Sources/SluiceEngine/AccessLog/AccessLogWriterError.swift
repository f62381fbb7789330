/// Why an access log file could not be opened.
public struct AccessLogWriterError: Error, CustomStringConvertible, Sendable {
    /// The file that was to be opened.
    public var path: String
    /// What went wrong (the system's error text).
    public var reason: String

    /// Creates an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `cannot open access log <path>: <reason>`.
    public var description: String { "cannot open access log \(path): \(reason)" }
}
