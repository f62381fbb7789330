import Foundation
import Logging
import SluiceConfig
import Testing
@testable import SluiceEngine

/// Client-controlled text cannot forge or hide log lines: controls, quotes and backslashes become `\xHH`.
struct LogEscapingTests {
    @Test(arguments: [
        ("plain.example.com", "plain.example.com"),
        ("a\nb", "a\\x0Ab"),
        ("\u{1b}[2J\r", "\\x1B[2J\\x0D"),
        ("q\"uote\\", "q\\x22uote\\x5C"),
        ("del\u{7f}", "del\\x7F"),
        ("csi\u{9b}31m", "csi\\xC2\\x9B31m"),
        ("café 例え", "café 例え"),
        ("\u{0}", "\\x00"),
    ])
    func escapes(_ input: String, _ expected: String) {
        #expect(LogEscaping.escape(input) == expected)
    }

    @Test func plainStyleKeepsQuotes() {
        #expect(LogEscaping.escape("id: must not be \"..\"\n", .plain) == "id: must not be \"..\"\\x0A")
        #expect(LogEscaping.escape("back\\slash", .plain) == "back\\x5Cslash")
    }

    @Test func accessLogEscapesClientValues() throws {
        let record = AccessLogRecord(
            connectionID: 1, remoteAddr: "127.0.0.1", remotePort: 1, serverAddr: "127.0.0.1", serverPort: 2,
            start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 0), closeReason: "no_route",
            sslServerName: "evil\n127.0.0.1 [forged] TCP 200\u{1b}[8m", proxyProtocolSource: HostPort(host: "\"x\"", port: 1))
        let line = try AccessLogFormat("$ssl_server_name \"$proxy_protocol_addr\"").render(record)
        #expect(line == "evil\\x0A127.0.0.1 [forged] TCP 200\\x1B[8m \"\\x22x\\x22\"")
        #expect(!line.contains("\n"))
    }

    @Test func logHandlerEscapesMessagesAndMetadata() {
        let sink = RecordingLogHandler.Sink()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(RecordingLogHandler(sink: sink)) }
        logger.logLevel = .info
        logger.info("bad \u{1b}name\n", metadata: ["tls.sni": "a\nb", "ok": "\"fine\""])
        #expect(sink.lines == ["bad \\x1Bname\\x0A ok=\"fine\" tls.sni=a\\x0Ab"])
    }
}

/// Collects what reaches it, rendered `message key=value…` (keys sorted).
struct RecordingLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        var lines: [String] { lock.withLock { stored } }
        func add(_ line: String) { lock.withLock { stored.append(line) } }
    }

    let sink: Sink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }
        sink.add(([event.message.description] + pairs).joined(separator: " "))
    }
}
