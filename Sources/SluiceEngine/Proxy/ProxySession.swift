import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SluiceConfig

/// One proxied TCP connection, from the accepted client to the end of both directions.
///
/// Lives on the client channel's event loop, like the upstream channel it connects (one loop, no locks):
/// pick a node, connect with timeout and retries, join the channels with `GlueHandler`s, time out when idle,
/// then count and log the session once both channels are closed.
final class ProxySession {
    enum Side { case client, upstream }

    private let context: EngineContext
    private let client: Channel
    private let route: CompiledRoute
    private let runtime: UpstreamRuntime
    private var record: ConnectionRecord { accounting.record }
    private let facts: ConnectionFacts
    private let accounting: SessionAccounting
    /// Holds the client's first bytes until the glue is in place.
    private let starter: SessionStarter
    private let start = NIODeadline.now()
    private let startDate = Date()

    private var upstream: Channel?
    private var nodeIndex: Int? { accounting.nodeIndex }
    private var triedIndices: Set<Int> = []
    private var triedAddresses: [String] = []
    private var connectTime: Double?
    private var reason: CloseReason?
    private var status = 200
    private var closedChannels = 0
    private var inputsClosed: Set<Side> = []
    private var finished = false
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var bytesFromClient: UInt64 = 0
    private var bytesToClient: UInt64 = 0

    init(context: EngineContext, client: Channel, route: CompiledRoute, runtime: UpstreamRuntime,
         facts: ConnectionFacts, listenerName: String, listenerCounters: TrafficCounters, starter: SessionStarter) {
        self.starter = starter
        self.context = context
        self.client = client
        self.route = route
        self.runtime = runtime
        self.facts = facts
        let record = ConnectionRecord(id: context.registry.makeID(),
                                      client: HostPort(host: facts.clientHost, port: facts.clientPort).description,
                                      listener: listenerName, routeID: route.route.id, upstreamKey: runtime.key)
        accounting = SessionAccounting(context: context, record: record, listener: listenerCounters,
                                       routeID: route.route.id, upstream: runtime)
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return HostPort(host: ip, port: port).description
    }

    // MARK: start and connect

    func begin() {
        let loopBound = NIOLoopBound(self, eventLoop: client.eventLoop)
        accounting.begin { reason in loopBound.eventLoop.execute { loopBound.value.close(reason) } }
        client.closeFuture.assumeIsolated().whenComplete { _ in self.channelClosed(.client) }
        connectNext()
    }

    private var attemptsLeft: Bool {
        guard triedIndices.count < runtime.upstream.maxAttempts else { return false }
        guard let limit = runtime.upstream.retryTimeout, limit > 0, !triedIndices.isEmpty else { return true }
        return NIODeadline.now() - start < .nanoseconds(Int64(limit * 1e9))
    }

    private func connectNext() {
        guard !finished, reason == nil else { return }
        guard attemptsLeft, let index = runtime.pick(hashKey: facts.hashKey(runtime.upstream.hashKey), excluding: triedIndices) else {
            connectFailed()
            return
        }
        triedIndices.insert(index)
        let node = runtime.upstream.nodes[index]
        triedAddresses.append(node.address)
        let attemptStart = NIODeadline.now()
        let bootstrap = ClientBootstrap(group: client.eventLoop)
            .connectTimeout(.nanoseconds(Int64(runtime.upstream.timeout.connect * 1e9)))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: EngineTuning.receiveAllocator)
            .channelOption(.writeBufferWaterMark, value: EngineTuning.writeWaterMark)
        let connecting = runtime.nodeAddresses[index].map { bootstrap.connect(to: $0) }
            ?? bootstrap.connect(host: node.host, port: node.port)
        connecting
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.connected(channel, index: index, took: NIODeadline.now() - attemptStart)
                case .failure(let error):
                    self.accounting.connectFailed(node: index)
                    self.context.logger.info("Upstream connect failed", metadata: [
                        "connection.id": "\(self.record.id)", "upstream": "\(self.runtime.key)",
                        "node": "\(node.address)", "error": "\(error)",
                    ])
                    self.connectNext()
                }
            }
    }

    /// HAProxy's `send-proxy`: the client and the address it connected to, as this session knows them.
    private func proxyHeader(_ version: String) -> [UInt8] {
        let source = ProxyProtocolEndpoint(host: facts.clientHost, port: facts.clientPort)
        let destination = ProxyProtocolEndpoint(host: facts.serverHost, port: facts.serverPort)
        return version == "v2" ? ProxyProtocolEncoder.v2(source: source, destination: destination, transport: .tcp)
            : ProxyProtocolEncoder.v1(source: source, destination: destination)
    }

    private func connectFailed() {
        status = 502
        reason = .connectFailed
        client.close(promise: nil)
    }

    private func connected(_ channel: Channel, index: Int, took: TimeAmount) {
        guard !finished, reason == nil, closedChannels == 0 else {
            channel.close(promise: nil)
            return
        }
        upstream = channel
        connectTime = Double(took.nanoseconds) / 1e9
        accounting.chose(node: index, state: .proxying)
        let (clientGlue, upstreamGlue) = GlueHandler.matchedPair(session: self)
        do {
            // A PROXY header goes first on the wire, before any TLS to the node.
            if let version = runtime.upstream.sendProxyProtocol {
                channel.writeAndFlush(channel.allocator.buffer(bytes: proxyHeader(version)), promise: nil)
            }
            if runtime.wantsTLS {
                guard let tls = runtime.tlsContext else { throw EngineError.upstreamTLS(runtime.tlsProblem ?? "no context") }
                let name = UpstreamTLSContext.serverName(clientSNI: facts.sni, tls: runtime.upstream.tls,
                                                         nodeHost: runtime.upstream.nodes[index].host)
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
            }
            try client.pipeline.syncOperations.addHandler(clientGlue)
            try channel.pipeline.syncOperations.addHandler(upstreamGlue)
            channel.closeFuture.assumeIsolated().whenComplete { _ in self.channelClosed(.upstream) }
            starter.release()
            try client.syncOptions?.setOption(.autoRead, value: true)
            try channel.syncOptions?.setOption(.autoRead, value: true)
        } catch {
            context.logger.error("Cannot join proxy channels", metadata: ["error": "\(error)"])
            status = 502
            reason = .error
            client.close(promise: nil)
            channel.close(promise: nil)
            return
        }
        armIdleTimer()
    }

    // MARK: traffic, from the glue

    func transferred(_ bytes: Int, from side: Side) {
        lastActivity = .now()
        let n = UInt64(bytes)
        // Only this connection's own counter moves per read (one uncontended atomic); the shared listener, route,
        // upstream and node counters receive the totals at close, and snapshots add the live connections' bytes.
        if side == .client {
            bytesFromClient += n
            record.bytesIn.wrappingIncrement(by: n, ordering: .relaxed)
        } else {
            bytesToClient += n
            record.bytesOut.wrappingIncrement(by: n, ordering: .relaxed)
        }
    }

    func inputClosed(on side: Side) {
        if reason == nil { reason = side == .client ? .clientClosed : .upstreamClosed }
        inputsClosed.insert(side)
        if inputsClosed.count == 2 { closeBoth() }
    }

    /// Both channels report here through their close futures, whether or not the glue was ever added.
    private func channelClosed(_ side: Side) {
        if reason == nil { reason = side == .client ? .clientClosed : .upstreamClosed }
        closedChannels += 1
        if closedChannels == 2 || upstream == nil { finish() }
    }

    func sawError(_ error: Error, on side: Side) {
        if side == .upstream, runtime.wantsTLS, error is NIOSSLError || error is BoringSSLError {
            status = 502
            if reason == nil { reason = .upstreamTLSFailed }
            context.logger.info("Upstream TLS handshake failed", metadata: [
                "connection.id": "\(record.id)", "upstream": "\(runtime.key)", "error": "\(error)",
            ])
            return
        }
        context.logger.debug("Connection error", metadata: ["connection.id": "\(record.id)", "side": "\(side)",
                                                             "error": "\(error)"])
    }

    // MARK: ending

    /// Closes both channels; the first reason given is the one logged.
    func close(_ why: CloseReason) {
        if reason == nil { reason = why }
        record.update(state: .closing)
        closeBoth()
    }

    private func closeBoth() {
        client.close(promise: nil)
        upstream?.close(promise: nil)
    }

    private func armIdleTimer() {
        let idle = TimeAmount.nanoseconds(Int64(runtime.upstream.timeout.idle * 1e9))
        idleTimer = client.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity + idle) {
            guard !self.finished else { return }
            if NIODeadline.now() - self.lastActivity >= idle {
                self.close(.idleTimeout)
            } else {
                self.armIdleTimer()
            }
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        idleTimer?.cancel()
        idleTimer = nil
        accounting.finish(bytesFromClient: bytesFromClient, bytesToClient: bytesToClient,
                          connectFailed: reason == .connectFailed)
        context.accessLog?.log(AccessLogRecord(
            connectionID: record.id,
            remoteAddr: facts.clientHost, remotePort: facts.clientPort, serverAddr: facts.serverHost,
            serverPort: facts.serverPort,
            transport: "TCP", status: status, bytesSent: bytesToClient, bytesReceived: bytesFromClient,
            start: startDate, end: Date(),
            upstreamAddr: nodeIndex.map { runtime.upstream.nodes[$0].address },
            upstreamAddrsTried: triedAddresses,
            upstreamBytesSent: bytesFromClient, upstreamBytesReceived: bytesToClient,
            upstreamConnectTime: connectTime, routeID: route.route.id,
            closeReason: (reason ?? .clientClosed).rawValue, sslServerName: facts.sni, sslProtocol: facts.tlsVersion,
            proxyProtocolAddr: facts.proxyProtocolAddr))
    }
}
