import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SluiceConfig
import Synchronization

/// Sends one syslog configuration's messages to its server, off the data plane: `enqueue` (called in the log phase,
/// on any event loop) only appends to a bounded `SyslogQueue` under a lock; the batches go out on the senders' own
/// event loop, over one long-lived TCP/TLS connection or a UDP socket.
///
/// A dead or slow server costs bounded memory: a connect or a send that takes longer than `timeout` fails the
/// batch, which is retried `max_retry_count` times `retry_delay` apart and then dropped; the connection comes back
/// with a backoff (0.2 s doubling to 30 s); the queue never holds more than its limits. Drops are counted (`info`)
/// and said in the engine log at most once a second.
final class SyslogSender: Sendable {
    /// The senders' own event loop: no syslog work ever runs on a data-plane loop.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    static let initialBackoff = TimeAmount.milliseconds(200)
    static let maxBackoff = TimeAmount.seconds(30)

    /// Where the batch taken from the queue is.
    private enum Phase {
        /// No batch taken: the queue fills until one is due.
        case idle
        /// A batch waits to go, not before this time (a retry's delay or the connection's backoff).
        case holding(SyslogQueue.Batch, notBefore: NIODeadline)
        case connecting(SyslogQueue.Batch)
        case sending(SyslogQueue.Batch)
    }

    /// The connection to the server.
    private enum Link {
        /// None; the next attempt not before `retryAt`, the one after that `backoff` later.
        case down(retryAt: NIODeadline, backoff: TimeAmount)
        /// Connected (TCP, TLS) or bound (UDP, sending to `target`).
        case up(Channel, target: SocketAddress?, backoff: TimeAmount)
    }

    private struct State {
        var queue: SyslogQueue
        var phase = Phase.idle
        var link = Link.down(retryAt: .uptimeNanoseconds(0), backoff: SyslogSender.initialBackoff)
        /// The earliest wake-up already scheduled.
        var wakeAt: NIODeadline?
        var failedSends: UInt64 = 0
        var dropReportScheduled = false
    }

    /// What `pump` does once the lock is released.
    private enum Action {
        case none
        case wake(at: NIODeadline)
        case connect
        case send(Channel, target: SocketAddress?, SyslogQueue.Batch)
    }

    let config: SyslogConfig
    private let loop: EventLoop
    private let state: Mutex<State>
    /// The TLS client context when `tls` is on (its making can fail only if BoringSSL cannot start).
    private let tls: Result<NIOSSLContext, any Error>?
    private let logger: Logger

    /// - Parameter backlog: the entries waiting across all senders, bounded by `max_pending_entries`.
    init(config: SyslogConfig, backlog: SyslogBacklog, logger: Logger) {
        self.config = config
        self.logger = logger
        loop = Self.group.next()
        state = Mutex(State(queue: SyslogQueue(SyslogQueue.Limits(
            batchMaxSize: config.batchMaxSize, flushLimit: config.flushLimit, dropLimit: config.dropLimit,
            inactiveTimeout: .seconds(Int64(config.inactiveTimeout)),
            bufferDuration: .seconds(Int64(config.bufferDuration))), backlog: backlog)))
        if config.tls {
            var tlsConfig = TLSConfiguration.makeClientConfiguration()
            tlsConfig.certificateVerification = config.tlsVerify ? .fullVerification : .none
            tls = Result { try NIOSSLContext(configuration: tlsConfig) }
        } else {
            tls = nil
        }
    }

    deinit {
        let link = state.withLock { s in
            s.queue.releaseAll()
            return s.link
        }
        if case .up(let channel, _, _) = link { channel.close(promise: nil) }
    }

    /// `tcp://host:port`, `tls://…` or `udp://…`, for the engine log and the counters.
    var target: String {
        let scheme = config.transport == .udp ? "udp" : config.tls ? "tls" : "tcp"
        let host = config.host.contains(":") ? "[\(config.host)]" : config.host
        return "\(scheme)://\(host):\(config.port)"
    }

    /// Queues one framed message; never blocks (a full queue drops it, counted).
    func enqueue(_ message: ByteBuffer) {
        let now = NIODeadline.now()
        let (wake, report) = state.withLock { s -> (Bool, Bool) in
            guard s.queue.push(message, now: now) else {
                defer { s.dropReportScheduled = true }
                return (false, !s.dropReportScheduled)
            }
            guard case .idle = s.phase, let due = s.queue.dueAt else { return (false, false) }
            return (due <= now || s.wakeAt == nil, false)
        }
        if wake { loop.execute { self.pump() } }
        if report { loop.scheduleTask(in: .seconds(1)) { self.reportDrops() } }
    }

    /// Sends everything queued now and waits until it is delivered or given up, at most `timeout` seconds
    /// (shutdown). - Returns: whether the queue emptied.
    @discardableResult
    func flush(timeout: Double) -> Bool {
        state.withLock { $0.queue.flushing = true }
        loop.execute { self.pump() }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let done = state.withLock { s in
                if case .idle = s.phase { return s.queue.count == 0 }
                return false
            }
            if done { return true }
            usleep(5_000)
        }
        return false
    }

    /// The counters the engine snapshot shows.
    var info: SyslogSinkInfo {
        state.withLock { s in
            var connected = false
            if case .up = s.link { connected = true }
            return SyslogSinkInfo(name: config.batchName, target: target, queuedEntries: s.queue.count,
                                  queuedBytes: s.queue.bytes, sent: s.queue.sent, dropped: s.queue.dropped,
                                  failedSends: s.failedSends, connected: connected)
        }
    }

    // MARK: - On the senders' loop

    /// Moves the batch along: takes one when due, connects when needed, sends; or schedules the next wake-up.
    private func pump() {
        let now = NIODeadline.now()
        let action = state.withLock { s -> Action in
            while true {
                switch s.phase {
                case .connecting, .sending:
                    return .none
                case .idle:
                    guard let due = s.queue.dueAt else { return .none }
                    guard due <= now, let batch = s.queue.take(now: now) else { return Self.wake(&s, at: due) }
                    s.phase = .holding(batch, notBefore: now)
                case .holding(let batch, let notBefore):
                    if notBefore > now { return Self.wake(&s, at: notBefore) }
                    switch s.link {
                    case .up(let channel, let target, _):
                        s.phase = .sending(batch)
                        return .send(channel, target: target, batch)
                    case .down(let retryAt, _):
                        if retryAt > now { return Self.wake(&s, at: retryAt) }
                        s.phase = .connecting(batch)
                        return .connect
                    }
                }
            }
        }
        switch action {
        case .none: break
        case .wake(let at):
            loop.scheduleTask(deadline: at) {
                self.state.withLock { s in if s.wakeAt == at { s.wakeAt = nil } }
                self.pump()
            }
        case .connect: connect()
        case .send(let channel, let target, let batch): send(batch, on: channel, to: target)
        }
    }

    /// A wake-up at `at`, unless an earlier one is already scheduled.
    private static func wake(_ s: inout State, at: NIODeadline) -> Action {
        if let scheduled = s.wakeAt, scheduled <= at { return .none }
        s.wakeAt = at
        return .wake(at: at)
    }

    private func connect() {
        let timeout = TimeAmount.milliseconds(Int64(config.timeoutMilliseconds))
        let connected: EventLoopFuture<(Channel, SocketAddress?)>
        switch config.transport {
        case .udp:
            connected = loop.makeCompletedFuture {
                try SocketAddress.makeAddressResolvingHost(config.host, port: config.port)
            }.flatMap { target in
                DatagramBootstrap(group: self.loop)
                    .bind(host: target.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
                    .map { ($0, target) }
            }
        case .tcp:
            let tls = self.tls
            let serverName = IPAddress(config.host) == nil ? config.host : nil
            connected = ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls.get(), serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(SyslogDiscardHandler())
                    }
                }
                .connect(host: config.host, port: config.port)
                .map { ($0, nil) }
        }
        connected.whenComplete { result in
            let now = NIODeadline.now()
            switch result {
            case .success(let (channel, target)):
                channel.closeFuture.whenComplete { [weak self] _ in self?.lost(channel) }
                self.state.withLock { s in
                    guard case .connecting(let batch) = s.phase else { return }
                    s.link = .up(channel, target: target, backoff: Self.backoff(of: s.link))
                    s.phase = .holding(batch, notBefore: now)
                }
            case .failure(let error):
                self.logger.warning("syslog server unreachable", metadata: self.metadata(["error": "\(error)"]))
                self.state.withLock { s in self.failed(&s, now: now) }
            }
            self.pump()
        }
    }

    private func send(_ batch: SyslogQueue.Batch, on channel: Channel, to target: SocketAddress?) {
        let written: EventLoopFuture<Void>
        if let target {
            let writes = batch.messages.map { channel.write(AddressedEnvelope(remoteAddress: target, data: $0)) }
            channel.flush()
            written = EventLoopFuture.andAllSucceed(writes, on: loop)
        } else {
            var bytes = channel.allocator.buffer(capacity: batch.bytes)
            for var m in batch.messages { bytes.writeBuffer(&m) }
            written = channel.writeAndFlush(bytes)
        }
        let timer = loop.scheduleTask(in: .milliseconds(Int64(config.timeoutMilliseconds))) {
            channel.close(promise: nil)
        }
        written.whenComplete { result in
            timer.cancel()
            let now = NIODeadline.now()
            switch result {
            case .success:
                self.state.withLock { s in
                    s.queue.delivered(batch)
                    s.phase = .idle
                    if case .up(let ch, let target, _) = s.link {
                        s.link = .up(ch, target: target, backoff: Self.initialBackoff)
                    }
                }
            case .failure(let error):
                self.logger.warning("syslog send failed", metadata: self.metadata([
                    "syslog.entries": "\(batch.messages.count)", "error": "\(error)"]))
                self.state.withLock { s in self.failed(&s, now: now) }
            }
            self.pump()
        }
    }

    /// The connection closed (the server went away, a send timed out): the next batch reconnects.
    private func lost(_ channel: Channel) {
        let now = NIODeadline.now()
        state.withLock { s in
            guard case .up(let current, _, let backoff) = s.link, current === channel else { return }
            s.link = .down(retryAt: now, backoff: backoff)
        }
        pump()
    }

    /// The batch being connected for or sent failed: the link goes down with a backoff, the batch waits for its
    /// retry or — retries spent — is dropped.
    private func failed(_ s: inout State, now: NIODeadline) {
        let backoff = Self.backoff(of: s.link)
        if case .up(let channel, _, _) = s.link { channel.close(promise: nil) }
        s.link = .down(retryAt: now + backoff, backoff: min(backoff * 2, Self.maxBackoff))
        s.failedSends += 1
        switch s.phase {
        case .connecting(var batch), .sending(var batch): retry(&batch, &s, now: now)
        case .idle, .holding: break
        }
    }

    private func retry(_ batch: inout SyslogQueue.Batch, _ s: inout State, now: NIODeadline) {
        batch.failures += 1
        if batch.failures <= config.maxRetryCount {
            s.phase = .holding(batch, notBefore: now + .seconds(Int64(config.retryDelay)))
            return
        }
        s.queue.abandoned(batch)
        s.phase = .idle
        if !s.dropReportScheduled {
            s.dropReportScheduled = true
            loop.scheduleTask(in: .seconds(1)) { self.reportDrops() }
        }
    }

    private static func backoff(of link: Link) -> TimeAmount {
        switch link {
        case .down(_, let backoff), .up(_, _, let backoff): backoff
        }
    }

    /// The sender's metadata for the engine log, with `extra`.
    private func metadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        extra.merging(["syslog.name": "\(config.batchName)", "syslog.server": "\(target)"]) { a, _ in a }
    }

    /// Says in the engine log how many entries were dropped since the last report.
    private func reportDrops() {
        let (dropped, total, queued, bytes) = state.withLock { s in
            s.dropReportScheduled = false
            return (s.queue.takeUnreportedDrops(), s.queue.dropped, s.queue.count, s.queue.bytes)
        }
        guard dropped > 0 else { return }
        logger.error("syslog entries dropped", metadata: metadata([
            "syslog.dropped": "\(dropped)", "syslog.dropped_total": "\(total)", "syslog.queued_entries": "\(queued)",
            "syslog.queued_bytes": "\(bytes)", "syslog.drop_limit": "\(config.dropLimit)",
        ]))
    }
}

/// Reads and discards what a syslog server sends (nothing, normally), so that its close is noticed.
private final class SyslogDiscardHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// One syslog sender's counters, as the engine snapshot shows them.
package struct SyslogSinkInfo: Sendable, Equatable {
    /// The batch processor's `name`.
    package var name: String
    /// `tcp://host:port`, `tls://…` or `udp://…`.
    package var target: String
    package var queuedEntries: Int
    package var queuedBytes: Int
    package var sent: UInt64
    package var dropped: UInt64
    /// Connects and sends that failed.
    package var failedSends: UInt64
    package var connected: Bool
}
