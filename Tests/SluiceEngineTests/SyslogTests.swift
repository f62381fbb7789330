import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// The syslog plugin's pieces: the RFC 5424 / 3164 header, the JSON entry (access-log fields or `log_format`),
/// the bounded batching queue, and a sender facing a server that is not there.
struct SyslogTests {
    static let start = Date(timeIntervalSince1970: 1_764_589_640.25)  // 2025-12-01T11:47:20.250Z

    static func record(upstream: Bool = true) -> AccessLogRecord {
        AccessLogRecord(connectionID: 7, remoteAddr: "127.0.0.2", remotePort: 50000, serverAddr: "127.0.0.1",
                        serverPort: 9100, status: upstream ? 200 : 403, bytesSent: 5, bytesReceived: 6, start: start,
                        end: start.addingTimeInterval(1.5), upstreamAddr: upstream ? "127.0.0.1:80" : nil,
                        upstreamAddrsTried: upstream ? ["127.0.0.1:80"] : [], upstreamBytesSent: 6,
                        upstreamBytesReceived: 5, upstreamConnectTime: upstream ? 0.002 : nil, routeID: "r1",
                        closeReason: upstream ? "client_closed" : "ip_restricted")
    }

    static func config(_ logFormat: [LogFormatField]? = nil, batch: Int = 1000, dropLimit: Int = 1_048_576,
                       port: Int = 514) -> SyslogConfig {
        SyslogConfig(host: "127.0.0.1", port: port, transport: .tcp, timeoutMilliseconds: 200, tls: false,
                     tlsVerify: true, format: .rfc5424, logFormat: logFormat, batchName: "test", batchMaxSize: batch,
                     inactiveTimeout: 5, bufferDuration: 60, maxRetryCount: 0, retryDelay: 1, flushLimit: 4096,
                     dropLimit: dropLimit)
    }

    func session() -> PluginSession {
        var s = PluginSession(facts: ConnectionFacts(remoteAddress: IPAddress("127.0.0.2"),
                                                     serverAddress: IPAddress("127.0.0.1"), serverPort: 9100),
                              routeID: "r1", listenAddr: "127.0.0.1:9100")
        s.variables["mqtt_client_id"] = "c-1"
        return s
    }

    func json(_ text: String) throws -> ConfigValue { try ConfigValue.parseJSON(Array(text.utf8)) }

    @Test func rfc5424Header() {
        let line = SyslogMessage.render("{}", format: .rfc5424, at: Self.start, hostName: "gw", processID: "42")
        #expect(line == "<46>1 2025-12-01T11:47:20.250Z gw sluice 42 - - {}")
    }

    @Test func rfc3164Header() {
        let line = SyslogMessage.render("{}", format: .rfc3164, at: Self.start, hostName: "gw", processID: "42",
                                        timeZone: TimeZone(identifier: "UTC"))
        #expect(line == "<46>Dec  1 11:47:20 gw sluice[42]: {}")
        let later = SyslogMessage.render("{}", format: .rfc3164, at: Self.start.addingTimeInterval(10 * 86400),
                                         hostName: "gw", processID: "42", timeZone: TimeZone(identifier: "UTC"))
        #expect(later.hasPrefix("<46>Dec 11 11:47:20 "))
    }

    @Test func defaultEntryHasTheAccessLogFieldsTyped() throws {
        let e = try json(SyslogEntry(logFormat: nil, serviceID: "s1").json(Self.record(), session: session()))
        #expect(e["remote_addr"] == .string("127.0.0.2") && e["remote_port"] == .int(50000))
        #expect(e["server_port"] == .int(9100) && e["status"] == .int(200) && e["protocol"] == .string("TCP"))
        #expect(e["bytes_sent"] == .int(5) && e["bytes_received"] == .int(6) && e["connection"] == .int(7))
        #expect(e["session_time"] == ConfigValue(.double(1.5)) && e["upstream_addr"] == .string("127.0.0.1:80"))
        #expect(e["upstream_connect_time"] == ConfigValue(.double(0.002)))
        #expect(e["start_time"] == .int(1_764_589_640_250))
        #expect(e["route_id"] == .string("r1") && e["service_id"] == .string("s1"))
        #expect(e["ssl_server_name"] == nil)
        let refused = try json(SyslogEntry(logFormat: nil, serviceID: nil).json(Self.record(upstream: false),
                                                                                 session: session()))
        #expect(refused["upstream_addr"] == nil && refused["upstream_connect_time"] == nil)
        #expect(refused["close_reason"] == .string("ip_restricted") && refused["service_id"] == nil)
    }

    @Test func logFormatTakesVariablesLiteralsAndNesting() throws {
        let format = [
            LogFormatField(key: "client", value: .variable("remote_addr")),
            LogFormatField(key: "status", value: .variable("STATUS")),
            LogFormatField(key: "mqtt", value: .variable("mqtt_client_id")),
            LogFormatField(key: "sni", value: .variable("ssl_server_name")),
            LogFormatField(key: "nothing", value: .variable("no_such_variable")),
            LogFormatField(key: "k", value: .literal(.int(3))),
            LogFormatField(key: "route_id", value: .literal(.string("overridden"))),
            LogFormatField(key: "up", value: .object([LogFormatField(key: "addr", value: .variable("upstream_addr"))])),
        ]
        let text = SyslogEntry(logFormat: format, serviceID: nil).json(Self.record(), session: session())
        #expect(text == #"{"client":"127.0.0.2","status":"200","mqtt":"c-1","k":3,"up":{"addr":"127.0.0.1:80"},"#
                + #""route_id":"r1"}"#)
    }

    static let limits = SyslogQueue.Limits(batchMaxSize: 3, flushLimit: 100, dropLimit: 50,
                                           inactiveTimeout: .seconds(5), bufferDuration: .seconds(60))

    @Test func queueBatchesBySizeAndTime() {
        var q = SyslogQueue(Self.limits, backlog: SyslogBacklog(limit: 8192))
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(q.dueAt == nil)
        var pushed = [q.push(ByteBuffer(string: "aaaa"), now: t0)]
        #expect(q.dueAt == t0 + .seconds(5))
        pushed.append(q.push(ByteBuffer(string: "bbbb"), now: t0 + .seconds(4)))
        #expect(q.dueAt == t0 + .seconds(9), "inactive_timeout counts from the last entry")
        pushed.append(q.push(ByteBuffer(string: "cccc"), now: t0 + .seconds(4)))
        #expect(q.dueAt.map { $0 <= t0 } == true, "a full batch is due at once")
        pushed.append(q.push(ByteBuffer(string: "dddd"), now: t0 + .seconds(4)))
        #expect(pushed == [true, true, true, true])
        let batch = q.take(now: t0 + .seconds(4))
        #expect(batch?.messages.map { String(buffer: $0) } == ["aaaa", "bbbb", "cccc"])
        #expect(q.count == 1 && q.bytes == 16)
        if let batch { q.delivered(batch) }
        #expect(q.bytes == 4 && q.sent == 3)
        var long = SyslogQueue(SyslogQueue.Limits(batchMaxSize: 100, flushLimit: 100, dropLimit: 5000,
                                                  inactiveTimeout: .seconds(5), bufferDuration: .seconds(10)),
                               backlog: SyslogBacklog(limit: 8192))
        for i in 0..<4 { _ = long.push(ByteBuffer(string: "x"), now: t0 + .seconds(Int64(i) * 4)) }
        #expect(long.dueAt == t0 + .seconds(10), "buffer_duration caps a busy batch")
        var big = SyslogQueue(SyslogQueue.Limits(batchMaxSize: 100, flushLimit: 8, dropLimit: 5000,
                                                 inactiveTimeout: .seconds(5), bufferDuration: .seconds(10)),
                              backlog: SyslogBacklog(limit: 8192))
        _ = big.push(ByteBuffer(string: "12345678"), now: t0)
        #expect(big.dueAt.map { $0 <= t0 } == true, "flush_limit bytes waiting go at once")
    }

    @Test func queueIsBoundedByDropLimitAndCountsDrops() {
        var q = SyslogQueue(Self.limits, backlog: SyslogBacklog(limit: 8192))
        let now = NIODeadline.now()
        let ten = ByteBuffer(string: String(repeating: "x", count: 10))
        for _ in 0..<7 { _ = q.push(ten, now: now) }
        #expect(q.count == 5 && q.bytes == 50 && q.dropped == 2)
        let batch = q.take(now: now)
        let whileSending = q.push(ten, now: now)
        #expect(!whileSending, "the batch being sent still counts")
        if let batch { q.abandoned(batch) }
        #expect(q.dropped == 6 && q.bytes == 20)
        let reported = [q.takeUnreportedDrops(), q.takeUnreportedDrops()]
        #expect(reported == [6, 0])
        let afterwards = q.push(ten, now: now)
        #expect(afterwards)
    }

    @Test func maxPendingEntriesBoundsTheEntriesOfAllQueuesTogether() {
        let backlog = SyslogBacklog(limit: 3)
        let wide = SyslogQueue.Limits(batchMaxSize: 2, flushLimit: 100, dropLimit: 5000, inactiveTimeout: .seconds(5),
                                      bufferDuration: .seconds(60))
        var a = SyslogQueue(wide, backlog: backlog), b = SyslogQueue(wide, backlog: backlog)
        let now = NIODeadline.now()
        let m = ByteBuffer(string: "x")
        let first = [a.push(m, now: now), a.push(m, now: now), b.push(m, now: now), b.push(m, now: now)]
        #expect(first == [true, true, true, false], "three wait in all, whichever queue holds them")
        let batch = a.take(now: now)
        let whileSending = b.push(m, now: now)
        #expect(!whileSending, "a batch being sent still waits")
        if let batch { a.delivered(batch) }
        #expect(backlog.count == 1)
        let after = [b.push(m, now: now), b.push(m, now: now), a.push(m, now: now)]
        #expect(after == [true, true, false])
        backlog.setLimit(4)
        let raised = a.push(m, now: now)
        #expect(raised && backlog.count == 4, "a new snapshot's limit applies to the next entries")
        b.releaseAll()
        #expect(backlog.count == 1, "a queue that goes away gives its entries back")
    }

    @Test func aDeadServerCostsBoundedMemoryAndCountsDrops() throws {
        let closed = try ServerBootstrap(group: SyslogSender.group).bind(host: "127.0.0.1", port: 0).wait()
        let port = closed.localAddress?.port ?? 1
        try closed.close().wait()
        let sender = SyslogSender(config: Self.config(batch: 10, dropLimit: 1000, port: port),
                                  backlog: SyslogBacklog(limit: 8192), logger: Logger(label: "test"))
        let message = ByteBuffer(string: String(repeating: "m", count: 99) + "\n")
        for _ in 0..<100 { sender.enqueue(message) }
        #expect(sender.info.queuedBytes <= 1000)
        let deadline = Date().addingTimeInterval(10)
        #expect(sender.info.dropped == 90, "beyond drop_limit at once")
        while sender.info.dropped < 100, Date() < deadline { usleep(10_000) }
        let info = sender.info
        #expect(info.dropped == 100 && info.queuedBytes == 0 && info.sent == 0 && info.failedSends >= 1,
                "the batch that could not connect dropped (max_retry_count 0)")
        #expect(!info.connected && info.target == "tcp://127.0.0.1:\(port)")
    }
}
