import Logging

/// Wraps a log handler so that every message and metadata value reaches it escaped (`LogEscaping`, plain style):
/// the engine's messages carry client-controlled values (server names, PROXY addresses, peer errors).
package struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    package init(_ wrapped: any LogHandler) { self.wrapped = wrapped }

    package var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    package var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.escape) }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.escape) }
    }

    package func log(event: LogEvent) {
        var escaped = event
        escaped.message = "\(LogEscaping.escape(event.message.description, .plain))"
        escaped.metadata = event.metadata?.mapValues(Self.escape)
        wrapped.log(event: escaped)
    }

    /// Escapes a value, recursively through lists and dictionaries (their depth is the code's, not a client's).
    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): .string(LogEscaping.escape(s, .plain))
        case .stringConvertible(let c): .string(LogEscaping.escape(c.description, .plain))
        case .array(let items): .array(items.map(escape))
        case .dictionary(let d): .dictionary(d.mapValues(escape))
        }
    }
}
