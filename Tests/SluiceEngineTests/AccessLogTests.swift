import Foundation
import Testing
import SluiceConfig
@testable import SluiceEngine

/// nginx-style `log_format` compilation and rendering: every variable, both reference forms, `$` edge cases,
/// absent values, time zones and errors.
struct AccessLogTests {
    static let utc = TimeZone(secondsFromGMT: 0)

    static let record = AccessLogRecord(
        connectionID: 42, remoteAddr: "127.0.0.2", remotePort: 50000, serverAddr: "127.0.0.1", serverPort: 9100,
        transport: "TCP", status: 200, bytesSent: 7, bytesReceived: 5,
        start: Date(timeIntervalSince1970: 1_763_881_563.0), end: Date(timeIntervalSince1970: 1_763_881_563.123),
        upstreamAddr: "127.0.0.1:6380", upstreamAddrsTried: ["127.0.0.1:6379", "127.0.0.1:6380"],
        upstreamBytesSent: 5, upstreamBytesReceived: 7, upstreamConnectTime: 0.0015, routeID: "r1",
        closeReason: "client_closed")

    func render(_ format: String, _ record: AccessLogRecord = Self.record,
                timeZone: TimeZone? = Self.utc) throws -> String {
        try AccessLogFormat(format, timeZone: timeZone).render(record)
    }

    func failure(_ format: String) -> String? {
        do {
            _ = try AccessLogFormat(format)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func everyVariable() throws {
        #expect(try render("$remote_addr:$remote_port $server_addr:$server_port $protocol $status") ==
                "127.0.0.2:50000 127.0.0.1:9100 TCP 200")
        #expect(try render("$bytes_sent $bytes_received $session_time") == "7 5 0.123")
        #expect(try render("\"$upstream_addr\" $upstream_bytes_sent $upstream_bytes_received $upstream_connect_time") ==
                "\"127.0.0.1:6379, 127.0.0.1:6380\" 5 7 0.002")
        #expect(try render("[$time_local] $time_iso8601 $msec") ==
                "[23/Nov/2025:07:06:03 +0000] 2025-11-23T07:06:03+00:00 1763881563.123")
        #expect(try render("$connection $route_id $close_reason") == "42 r1 client_closed")
        #expect(try render("$pid") == String(getpid()))
        let host = try render("$hostname")
        #expect(!host.isEmpty && host != "-" && !host.contains("\0"))
    }

    /// nginx's meanings: `$proxy_protocol_*` what the header said, `$realip_remote_*` the peer that sent it (the
    /// client itself when no trusted header named another).
    @Test func proxyProtocolAndRealIPVariables() throws {
        let format = "$proxy_protocol_addr:$proxy_protocol_port $proxy_protocol_server_addr:$proxy_protocol_server_port"
            + " $realip_remote_addr:$realip_remote_port"
        #expect(try render(format) == "-:- -:- 127.0.0.2:50000")
        var r = Self.record
        r.proxyProtocolSource = HostPort(host: "192.0.2.7", port: 4000)
        r.proxyProtocolDestination = HostPort(host: "198.51.100.1", port: 443)
        r.realipRemote = HostPort(host: "127.0.0.9", port: 61000)
        #expect(try render(format, r) == "192.0.2.7:4000 198.51.100.1:443 127.0.0.9:61000")
    }

    @Test func mqttClientIDVariable() throws {
        #expect(try render("$mqtt_client_id") == "-")
        var r = Self.record
        r.mqttClientID = "sensor\"7\n"
        // The client chose it: escaped like every text a client sends.
        #expect(try render("$mqtt_client_id", r) == "sensor\\x227\\x0A")
    }

    @Test func everyVariableNameCompiles() throws {
        for variable in AccessLogVariable.allCases {
            let format = try AccessLogFormat("$\(variable.rawValue)|${\(variable.rawValue)}")
            #expect(format.tokens == [.variable(variable), .literal("|"), .variable(variable)])
        }
    }

    @Test func defaultFormat() throws {
        #expect(try render(AccessLogFormat.defaultFormat) ==
                "127.0.0.2 [23/Nov/2025:07:06:03 +0000] TCP 200 7 5 0.123 \"127.0.0.1:6379, 127.0.0.1:6380\" r1 client_closed")
    }

    @Test func absentValuesAreDashes() throws {
        var r = Self.record
        r.upstreamAddr = nil
        r.upstreamAddrsTried = []
        r.upstreamConnectTime = nil
        r.routeID = nil
        r.closeReason = ""
        #expect(try render("$upstream_addr $upstream_connect_time $route_id $close_reason", r) == "- - - -")
        r.upstreamAddr = "10.0.0.1:80"
        #expect(try render("$upstream_addr", r) == "10.0.0.1:80")
    }

    @Test func defaultsOfTheInitializer() throws {
        let r = AccessLogRecord(connectionID: 1, remoteAddr: "::1", remotePort: 1, serverAddr: "::1", serverPort: 2,
                                start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 0),
                                closeReason: "no_route")
        #expect(try render("$protocol $status $bytes_sent $upstream_addr $upstream_connect_time $route_id", r) ==
                "TCP 200 0 - - -")
        #expect(try render("[$time_local] $msec", r) == "[01/Jan/1970:00:00:00 +0000] 0.000")
    }

    @Test func secondsWithMilliseconds() throws {
        var r = Self.record
        r.start = Date(timeIntervalSince1970: 100)
        r.end = Date(timeIntervalSince1970: 100.9996)
        #expect(try render("$session_time", r) == "1.000")
        r.end = Date(timeIntervalSince1970: 3823.5)
        #expect(try render("$session_time", r) == "3723.500")
        r.end = Date(timeIntervalSince1970: 99)
        #expect(try render("$session_time", r) == "0.000")
        r.upstreamConnectTime = 0.0004
        #expect(try render("$upstream_connect_time", r) == "0.000")
        r.upstreamConnectTime = 12.05
        #expect(try render("$upstream_connect_time", r) == "12.050")
        r.upstreamConnectTime = .nan
        #expect(try render("$upstream_connect_time", r) == "0.000")
    }

    @Test func msecAndTimeAgreeAtTheRoundingEdge() throws {
        var r = Self.record
        r.end = Date(timeIntervalSince1970: 1_763_881_563.9996)
        #expect(try render("$msec $time_iso8601", r) == "1763881564.000 2025-11-23T07:06:04+00:00")
    }

    @Test func timeZonesAndOffsets() throws {
        let india = TimeZone(secondsFromGMT: 5 * 3600 + 1800)
        #expect(try render("$time_local|$time_iso8601", timeZone: india) ==
                "23/Nov/2025:12:36:03 +0530|2025-11-23T12:36:03+05:30")
        let newfoundland = TimeZone(secondsFromGMT: -(3 * 3600 + 1800))
        #expect(try render("$time_local|$time_iso8601", timeZone: newfoundland) ==
                "23/Nov/2025:03:36:03 -0330|2025-11-23T03:36:03-03:30")
        var r = Self.record
        r.end = Date(timeIntervalSince1970: 1_767_225_599) // 2025-12-31T23:59:59Z
        #expect(try render("$time_local|$time_iso8601", r, timeZone: india) ==
                "01/Jan/2026:05:29:59 +0530|2026-01-01T05:29:59+05:30")
        // The msec value does not depend on the zone.
        #expect(try render("$msec", timeZone: india) == "1763881563.123")
    }

    @Test func processLocalTimeZone() throws {
        setenv("TZ", "UTC", 1)
        tzset()
        #expect(try render("[$time_local] $time_iso8601", timeZone: nil) ==
                "[23/Nov/2025:07:06:03 +0000] 2025-11-23T07:06:03+00:00")
    }

    @Test func bracesLiteralsAndLoneDollars() throws {
        #expect(try render("${status}ok $ $$status") == "200ok $ $200")
        #expect(try render("$") == "$")
        #expect(try render("100$") == "100$")
        #expect(try render("$-$.$\"") == "$-$.$\"")
        #expect(try render("${status}${status}_x") == "200200_x")
        #expect(try render("${STATUS} $Protocol") == "200 TCP")
        #expect(try render("→ $status ✓ é") == "→ 200 ✓ é")
        #expect(try render("") == "")
        #expect(try render("plain text") == "plain text")
        let format = try AccessLogFormat("x $ y $status")
        #expect(format.tokens == [.literal("x $ y "), .variable(.status)])
    }

    @Test func errorsNameTheVariableAndOffset() {
        #expect(throws: AccessLogFormatError.self) { try AccessLogFormat("$status $colour") }
        #expect(failure("$status $colour") == "unknown variable \"$colour\" at offset 8")
        #expect(failure("$status_x") == "unknown variable \"$status_x\" at offset 0")
        #expect(failure("ab ${nope} $status") == "unknown variable \"$nope\" at offset 3")
        #expect(failure("é→ $foo") == "unknown variable \"$foo\" at offset 3")
        #expect(failure("$status ${status") == "unclosed \"${\" at offset 8")
        #expect(failure("${}") == "empty variable name \"${}\" at offset 0")
        #expect(failure(AccessLogFormat.defaultFormat) == nil)
    }
}
