import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import SluiceConfig

/// Why one probe failed.
struct ProbeFailure: Error, Equatable {
    var cause: HealthCause
}

/// One active probe of one node: a TCP connect (then a TLS handshake, `send`, `expect`) or a UDP exchange, all
/// within `timeout`. Reports exactly once; the socket is closed whatever the outcome.
final class Probe: Sendable {
    private let target: ProbeTarget
    private let tlsContext: NIOSSLContext?
    private let requireTLS: Bool
    private let eventLoop: EventLoop
    private let names: NodeNameResolver

    init(target: ProbeTarget, tlsContext: NIOSSLContext?, requireTLS: Bool, eventLoop: EventLoop,
         names: NodeNameResolver) {
        self.names = names
        self.target = target
        self.tlsContext = tlsContext
        self.requireTLS = requireTLS
        self.eventLoop = eventLoop
    }

    /// Runs the probe; `done` gets the seconds it took, or why it failed.
    func run(_ done: @escaping @Sendable (Result<Double, ProbeFailure>) -> Void) {
        let start = NIODeadline.now()
        let outcome = ProbeOutcome(eventLoop: eventLoop) { result in
            done(result.map { Double((NIODeadline.now() - start).nanoseconds) / 1e9 })
        }
        let timeout = TimeAmount.nanoseconds(Int64(target.check.timeout * 1e9))
        eventLoop.scheduleTask(in: timeout) { outcome.finish(.failure(ProbeFailure(cause: .timedOut))) }
        if requireTLS && tlsContext == nil {
            outcome.finish(.failure(ProbeFailure(cause: .tlsFailed)))
            return
        }
        let connecting: EventLoopFuture<Channel>
        switch target.check.kind {
        case .tcp: connecting = connectTCP(outcome: outcome, timeout: timeout)
        case .udp: connecting = connectUDP(outcome: outcome)
        }
        connecting.whenComplete { result in
            switch result {
            case .success(let channel): outcome.attach(channel)
            case .failure(let error): outcome.finish(.failure(ProbeFailure(cause: HealthCause(error: error))))
            }
        }
    }

    /// The node's address: an IP as written, a host name's kept answer.
    private func address() -> EventLoopFuture<SocketAddress> {
        if let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
            return eventLoop.makeSucceededFuture(address)
        }
        return names.address(of: target.host, port: target.port, on: eventLoop)
    }

    private func connectTCP(outcome: ProbeOutcome, timeout: TimeAmount) -> EventLoopFuture<Channel> {
        let check = target.check
        let tlsContext = tlsContext
        let host = target.host
        let serverName = target.tls.flatMap { UpstreamTLSContext.serverName(clientSNI: nil, tls: $0, nodeHost: host) }
        let eventLoop = eventLoop
        return address().flatMap { address in
            ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        StreamProbeHandler(send: check.send, expect: check.expect, waitForTLS: tlsContext != nil,
                                           outcome: outcome))
                }
            }
            .connect(to: address)
        }
    }

    private func connectUDP(outcome: ProbeOutcome) -> EventLoopFuture<Channel> {
        let check = target.check
        let eventLoop = eventLoop
        return address().flatMap { address in
            DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramProbeHandler(expect: check.expect,
                                                                                       outcome: outcome))
                }
            }
            .connect(to: address)
        }.flatMap { channel in
            let payload = channel.allocator.buffer(bytes: check.send ?? [])
            guard let remote = channel.remoteAddress else { return channel.eventLoop.makeSucceededFuture(channel) }
            return channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: payload)).map { channel }
        }
    }
}

/// The single outcome of one probe, on its event loop: the first result wins, the channel is closed after it.
final class ProbeOutcome: Sendable {
    private let loop: NIOLoopBoundBox<(done: Bool, channel: Channel?)>
    private let report: @Sendable (Result<Void, ProbeFailure>) -> Void

    init(eventLoop: EventLoop, report: @escaping @Sendable (Result<Void, ProbeFailure>) -> Void) {
        loop = NIOLoopBoundBox((false, nil), eventLoop: eventLoop)
        self.report = report
    }

    /// The connected channel, closed when the probe is over (at once if it already is).
    func attach(_ channel: Channel) {
        if loop.value.done { channel.close(promise: nil) } else { loop.value.channel = channel }
    }

    func finish(_ result: Result<Void, ProbeFailure>) {
        guard !loop.value.done else { return }
        loop.value.done = true
        loop.value.channel?.close(promise: nil)
        loop.value.channel = nil
        report(result)
    }
}

/// Compares what arrives with `expect`, byte by byte as it comes.
struct ExpectMatcher {
    private let expect: [UInt8]
    private var matched = 0

    init(_ expect: [UInt8]) { self.expect = expect }

    /// Feeds bytes: true once all of `expect` arrived, false on a mismatch, nil while more is needed.
    mutating func feed(_ buffer: ByteBuffer) -> Bool? {
        for byte in buffer.readableBytesView {
            guard matched < expect.count else { return true }
            guard byte == expect[matched] else { return false }
            matched += 1
        }
        return matched >= expect.count ? true : nil
    }
}

/// The TCP side of a probe: waits for the TLS handshake if there is one, writes `send`, then matches `expect`.
final class StreamProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let send: [UInt8]?
    private var matcher: ExpectMatcher?
    private let waitForTLS: Bool
    private let outcome: ProbeOutcome

    init(send: [UInt8]?, expect: [UInt8]?, waitForTLS: Bool, outcome: ProbeOutcome) {
        self.send = send
        matcher = expect.map(ExpectMatcher.init)
        self.waitForTLS = waitForTLS
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitForTLS { ready(context: context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { ready(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    private func ready(context: ChannelHandlerContext) {
        if let send, !send.isEmpty {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: send)), promise: nil)
        }
        if matcher == nil { outcome.finish(.success(())) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var m = matcher else { return }
        let verdict = m.feed(unwrapInboundIn(data))
        matcher = m
        switch verdict {
        case true?: outcome.finish(.success(()))
        case false?: outcome.finish(.failure(ProbeFailure(cause: .expectMismatch)))
        case nil: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.finish(.failure(ProbeFailure(cause: .reset)))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        outcome.finish(.failure(ProbeFailure(cause: HealthCause(error: error))))
    }
}

/// The UDP side of a probe: the first reply (starting with `expect`, when given) is a success; an ICMP
/// port-unreachable arrives as ECONNREFUSED and is a failure.
final class DatagramProbeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let expect: [UInt8]?
    private let outcome: ProbeOutcome

    init(expect: [UInt8]?, outcome: ProbeOutcome) {
        self.expect = expect
        self.outcome = outcome
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data).data
        guard let expect else { return outcome.finish(.success(())) }
        var matcher = ExpectMatcher(expect)
        outcome.finish(matcher.feed(reply) == true ? .success(()) : .failure(ProbeFailure(cause: .expectMismatch)))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        outcome.finish(.failure(ProbeFailure(cause: HealthCause(error: error))))
    }
}
