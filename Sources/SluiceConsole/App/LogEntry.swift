import Logging

/// One logged event as the Log screen shows it: numbered in arrival order (for "unseen" counts), with its level.
public struct LogEntry: Sendable, Equatable {
    /// Grows by one per entry, from 1.
    public var sequence: UInt64
    public var level: Logger.Level
    /// `09:12:03 error Data file edited by hand has errors … error=gateway.yaml:3: …`
    public var line: String

    public init(sequence: UInt64, level: Logger.Level, line: String) {
        self.sequence = sequence
        self.level = level
        self.line = line
    }

    /// Errors and worse: what the Log tab's badge counts.
    public var isError: Bool { level >= .error }
}
