import Foundation
import NIOCore
import NIOPosix
import SluiceConfig

/// One UDP client of one listener: its own connected upstream socket, replies relayed back to the client,
/// an idle timeout, counters and a registry entry like a TCP connection's, one access-log line at the end.
/// Lives on the listener's event loop.
final class UDPSession {
    private let context: EngineContext
    private let listener: Channel
    private let client: SocketAddress
    private let route: CompiledRoute
    private let runtime: UpstreamRuntime
    private let listenerCounters: TrafficCounters
    private let accounting: SessionAccounting
    private var record: ConnectionRecord { accounting.record }
    private let onEnd: (SocketAddress) -> Void
    private let startDate = Date()
    private var upstream: Channel?
    private var nodeIndex: Int? { accounting.nodeIndex }
    private var waiting: [ByteBuffer] = []
    private var waitingBytes = 0
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var reason: CloseReason?
    private var status = 200
    private var finished = false
    private var bytesFromClient: UInt64 = 0
    private var bytesToClient: UInt64 = 0
    private var repliesLeft: Int?

    /// Datagrams held while the upstream socket is being set up, at most.
    static let maxWaitingBytes = 256 * 1024

    init(context: EngineContext, listener: Channel, client: SocketAddress, route: CompiledRoute, runtime: UpstreamRuntime,
         listenerName: String, listenerCounters: TrafficCounters, expectedReplies: Int?,
         onEnd: @escaping (SocketAddress) -> Void) {
        repliesLeft = expectedReplies
        self.context = context
        self.listener = listener
        self.client = client
        self.route = route
        self.runtime = runtime
        self.listenerCounters = listenerCounters
        self.onEnd = onEnd
        let record = ConnectionRecord(id: context.registry.makeID(), client: ProxySession.describe(client),
                                      listener: listenerName, routeID: route.route.id, upstreamKey: runtime.key,
                                      transport: "udp")
        accounting = SessionAccounting(context: context, record: record, listener: listenerCounters,
                                       routeID: route.route.id, upstream: runtime)
    }

    func begin(hashKey: String?) {
        listenerCounters.opened()
        let bound = NIOLoopBound(self, eventLoop: listener.eventLoop)
        accounting.begin { reason in bound.eventLoop.execute { bound.value.close(reason) } }
        guard let index = runtime.pick(hashKey: hashKey, excluding: []) else {
            status = 502
            close(.connectFailed)
            return
        }
        accounting.chose(node: index, state: .connecting)
        let node = runtime.upstream.nodes[index]
        let bootstrap = DatagramBootstrap(group: listener.eventLoop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
        let connecting = runtime.nodeAddresses[index].map { bootstrap.connect(to: $0) }
            ?? bootstrap.connect(host: node.host, port: node.port)
        connecting
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel): self.connected(channel)
                case .failure(let error):
                    self.accounting.connectFailed(node: index)
                    self.context.logger.info("UDP upstream socket failed", metadata: ["error": "\(error)"])
                    self.status = 502
                    self.close(.connectFailed)
                }
            }
        armIdleTimer()
    }

    private func connected(_ channel: Channel) {
        guard !finished else {
            channel.close(promise: nil)
            return
        }
        upstream = channel
        record.update(state: .proxying)
        do {
            try channel.pipeline.syncOperations.addHandler(UDPReplyHandler(session: self))
        } catch {
            close(.error)
            return
        }
        for datagram in waiting { send(datagram) }
        waiting = []
        waitingBytes = 0
        channel.flush()
    }

    /// A datagram from the client.
    func fromClient(_ data: ByteBuffer) {
        guard !finished else { return }
        lastActivity = .now()
        bytesFromClient += UInt64(data.readableBytes)
        record.bytesIn.wrappingIncrement(by: UInt64(data.readableBytes), ordering: .relaxed)
        if upstream == nil {
            guard waitingBytes + data.readableBytes <= Self.maxWaitingBytes else { return }
            waiting.append(data)
            waitingBytes += data.readableBytes
        } else {
            send(data)
            upstream?.flush()
        }
    }

    private func send(_ data: ByteBuffer) {
        guard let upstream else { return }
        upstream.write(AddressedEnvelope(remoteAddress: upstream.remoteAddress ?? client, data: data), promise: nil)
    }

    /// A datagram from the node: relayed to the client through the listener's socket.
    func fromUpstream(_ data: ByteBuffer) {
        guard !finished else { return }
        lastActivity = .now()
        bytesToClient += UInt64(data.readableBytes)
        record.bytesOut.wrappingIncrement(by: UInt64(data.readableBytes), ordering: .relaxed)
        listener.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: data), promise: nil)
        if let left = repliesLeft {
            repliesLeft = left - 1
            if left <= 1 { close(.responsesReceived) }
        }
    }

    func upstreamError(_ error: Error) {
        if let index = nodeIndex { accounting.connectFailed(node: index) }
        context.logger.debug("UDP upstream error", metadata: ["connection.id": "\(record.id)", "error": "\(error)"])
        status = 502
        close(.upstreamClosed)
    }

    private func armIdleTimer() {
        let idle = TimeAmount.nanoseconds(Int64(runtime.upstream.timeout.udpIdle * 1e9))
        idleTimer = listener.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity + idle) {
            guard !self.finished else { return }
            if NIODeadline.now() - self.lastActivity >= idle { self.close(.idleTimeout) } else { self.armIdleTimer() }
        }
    }

    /// Ends the session: counters, registry, access log; the next datagram from this client starts a new one.
    func close(_ why: CloseReason) {
        guard !finished else { return }
        finished = true
        reason = reason ?? why
        idleTimer?.cancel()
        idleTimer = nil
        upstream?.close(promise: nil)
        onEnd(client)
        accounting.finish(bytesFromClient: bytesFromClient, bytesToClient: bytesToClient,
                          connectFailed: why == .connectFailed)
        let node = nodeIndex.map { runtime.upstream.nodes[$0].address }
        context.accessLog?.log(AccessLogRecord(
            connectionID: record.id, remoteAddr: client.ipAddress ?? "-", remotePort: client.port ?? 0,
            serverAddr: listener.localAddress?.ipAddress ?? "-", serverPort: listener.localAddress?.port ?? 0,
            transport: "UDP", status: status, bytesSent: bytesToClient, bytesReceived: bytesFromClient,
            start: startDate, end: Date(), upstreamAddr: node, upstreamAddrsTried: node.map { [$0] } ?? [],
            upstreamBytesSent: bytesFromClient, upstreamBytesReceived: bytesToClient, upstreamConnectTime: nil,
            routeID: route.route.id, closeReason: (reason ?? why).rawValue))
    }
}

/// Hands the node's datagrams to the session.
final class UDPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let session: UDPSession

    init(session: UDPSession) { self.session = session }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.fromUpstream(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { session.upstreamError(error) }
}
