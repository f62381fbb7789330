import Foundation
import Testing
@testable import SluiceEngine

/// nginx-style log lines: every variable, both reference forms, errors, and the writer's ordering.
struct AccessLogTests {
    static let record = AccessLogRecord(
        connectionID: 42, remoteAddr: "127.0.0.2", remotePort: 50000, serverAddr: "127.0.0.1", serverPort: 9100,
        transport: "TCP", status: 200, bytesSent: 7, bytesReceived: 5,
        start: Date(timeIntervalSince1970: 1_763_881_563.0), end: Date(timeIntervalSince1970: 1_763_881_563.123),
        upstreamAddr: "127.0.0.1:6380", upstreamAddrsTried: ["127.0.0.1:6379", "127.0.0.1:6380"],
        upstreamBytesSent: 5, upstreamBytesReceived: 7, upstreamConnectTime: 0.0015, routeID: "r1",
        closeReason: "client_closed")

    func render(_ format: String, _ record: AccessLogRecord = Self.record) throws -> String {
        try AccessLogFormat(format).render(record)
    }

    @Test func everyVariable() throws {
        setenv("TZ", "UTC", 1)
        tzset()
        #expect(try render("$remote_addr:$remote_port $server_addr:$server_port $protocol $status") ==
                "127.0.0.2:50000 127.0.0.1:9100 TCP 200")
        #expect(try render("$bytes_sent $bytes_received $session_time") == "7 5 0.123")
        #expect(try render("\"$upstream_addr\" $upstream_bytes_sent $upstream_bytes_received $upstream_connect_time") ==
                "\"127.0.0.1:6379, 127.0.0.1:6380\" 5 7 0.002")
        #expect(try render("[$time_local] $time_iso8601 $msec") ==
                "[23/Nov/2025:07:06:03 +0000] 2025-11-23T07:06:03+00:00 1763881563.123")
        #expect(try render("$connection $route_id $close_reason") == "42 r1 client_closed")
        #expect(try render("$pid") == String(getpid()))
    }

    @Test func absentValuesAreDashes() throws {
        var r = Self.record
        r.upstreamAddrsTried = []
        r.upstreamConnectTime = nil
        r.routeID = nil
        #expect(try render("$upstream_addr $upstream_connect_time $route_id", r) == "- - -")
    }

    @Test func bracesLiteralsAndLoneDollars() throws {
        #expect(try render("${status}ok $ $$status") == "200ok $ $200")
    }

    @Test func unknownVariableIsNamed() {
        #expect(throws: AccessLogFormatError.self) { try AccessLogFormat("$status $colour") }
        do { _ = try AccessLogFormat("$status $colour") } catch {
            #expect(error.description == "unknown variable \"$colour\" at offset 8")
        }
    }

    @Test func writerKeepsOrderAndReopens() throws {
        let dir = NSTemporaryDirectory() + "sluice-log-\(UUID().uuidString)"
        let path = dir + "/logs/access.log"
        let writer = try AccessLogWriter(path: path)
        for i in 0..<500 { writer.write("line \(i)") }
        writer.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 500 && lines.first == "line 0" && lines.last == "line 499")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        writer.reopen()
        writer.write("after rotation")
        writer.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "after rotation\n")
    }

    @Test func fullQueueDropsAndCounts() throws {
        let path = NSTemporaryDirectory() + "sluice-log-\(UUID().uuidString).log"
        let writer = try AccessLogWriter(path: path, maxPending: 0)
        writer.write("dropped")
        writer.flush()
        #expect(writer.droppedLines == 1)
    }
}
