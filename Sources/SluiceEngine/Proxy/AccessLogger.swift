/// A compiled format and its writer: renders on the event loop (cheap), writes off it.
final class AccessLogger: Sendable {
    let format: AccessLogFormat
    let writer: AccessLogWriter

    init(format: AccessLogFormat, writer: AccessLogWriter) {
        self.format = format
        self.writer = writer
    }

    func log(_ record: AccessLogRecord) { writer.write(format.render(record)) }
}
