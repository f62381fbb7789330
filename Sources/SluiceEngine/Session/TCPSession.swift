import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SluiceConfig

/// One accepted TCP connection, from accept to the end of both directions: executes what its
/// `TCPSessionMachine` decides — route, run the plugin phases, connect with timeout and retries, join the channels
/// with `GlueHandler`s, time out when idle — and ends it in one place (`finish`): counters settled, one
/// access-log record, the log plugins.
///
/// Lives on the client channel's event loop, like the upstream channel it connects (one loop, no locks).
final class TCPSession {
    typealias Side = TCPSessionMachine.Side

    private let context: EngineContext
    private let listener: ListenerRuntime
    private let client: Channel
    private var machine: TCPSessionMachine
    private let accounting: SessionAccounting
    private let start = NIODeadline.now()
    private let startDate = Date()
    /// Holds the client's first bytes; set when the handler is made, dropped once released.
    var front: ClientFrontHandler?

    // Learned before routing.
    /// The server name of the client's TLS handshake or ClientHello.
    var serverName: String?
    private var proxyHeader: ProxyProtocolHeader?
    private var proxyHeaderTrusted = false
    private var tlsVersion: String?
    private var prereadTimer: Scheduled<Void>?
    private var refusalWhy: String?
    private var refusalError: Error?

    // Known once routed.
    private var facts: ConnectionFacts?
    private var route: CompiledRoute?
    private var runtime: UpstreamRuntime?
    private var pluginSession: PluginSession?
    private var prereadsSatisfied = 0
    private var accessIndex = 0
    private var delayTimer: Scheduled<Void>?
    private var hashKey: String?

    // Connecting and proxying.
    private var upstream: Channel?
    private var triedIndices: [Int] = []
    private var connectTime: Double?
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var bytesFromClient: UInt64 = 0
    private var bytesToClient: UInt64 = 0

    init(context: EngineContext, listener: ListenerRuntime, client: Channel) {
        self.context = context
        self.listener = listener
        self.client = client
        var prereads: Set<TCPSessionMachine.PrereadStep> = []
        if listener.spec.proxyProtocol { prereads.insert(.proxyHeader) }
        if listener.spec.tls { prereads.insert(.tlsHandshake) }
        if listener.spec.tlsPassthrough { prereads.insert(.clientHello) }
        machine = TCPSessionMachine(prereads: prereads)
        accounting = SessionAccounting(registry: context.registry, listener: listener.counters)
    }

    // MARK: events from the client's handlers

    func clientActive() {
        client.closeFuture.assumeIsolated().whenComplete { _ in self.perform(self.machine.channelClosed(.client)) }
        if case .prereading(let steps) = machine.state, !steps.isEmpty {
            prereadTimer = client.eventLoop.assumeIsolated().scheduleTask(in: EngineTuning.prereadTimeout) {
                self.refuse(.prereadTimeout, why: "Preread (PROXY header, TLS handshake or ClientHello) not finished in time")
            }
        }
        perform(machine.accepted())
    }

    /// From the `ProxyProtocolReceiver`. The header's addresses count only from a `real_ip_from` sender.
    func received(proxyHeader header: ProxyProtocolHeader) {
        proxyHeader = header
        let peer = client.remoteAddress?.ipAddress.flatMap(IPAddress.init)
        proxyHeaderTrusted = peer.map { ip in context.trustedProxies.contains { $0.contains(ip) } } ?? false
        if !proxyHeaderTrusted {
            context.logger.debug("PROXY header from an address not in real_ip_from; its addresses are ignored",
                                 metadata: ["peer": "\(peer?.description ?? "?")"])
        }
        perform(machine.prereadFinished(.proxyHeader))
    }

    func tlsHandshakeCompleted(version: String?) {
        tlsVersion = version
        perform(machine.prereadFinished(.tlsHandshake))
    }

    /// The front handler holds more bytes.
    func clientSentBytes() {
        switch machine.state {
        case .prereading(let steps) where steps == [.clientHello]:
            peekClientHello()
        case .pluginPreread:
            runPluginPreread()
        default:
            break
        }
    }

    func clientInputClosed() {
        switch machine.state {
        case .prereading(let steps) where steps.contains(.clientHello):
            refusalWhy = "Connection ended inside the ClientHello"
        case .pluginPreread:
            if let front, let route,
               let (reason, why) = route.plugins.prereadUnfinished(front.heldBytes, satisfied: prereadsSatisfied,
                                                                  timedOut: false) {
                refuse(reason, why: why)
                return
            }
            refusalWhy = "Connection ended before the preread finished"
        case .prereading:
            refusalWhy = "Connection ended before the preread finished"
        default:
            break
        }
        perform(machine.inputClosed(.client))
    }

    func clientError(_ error: Error) {
        guard machine.isJoined || isConnectingOrLater else {
            refuse(listener.spec.tls ? .handshakeFailed : .prereadAborted, why: "Connection failed before routing",
                   error: error)
            return
        }
        context.logger.debug("Connection error", metadata: ["connection.id": "\(recordID)", "error": "\(error)"])
        client.close(promise: nil)
    }

    private var isConnectingOrLater: Bool {
        switch machine.state {
        case .prereading, .routing, .pluginPreread, .admitting: false
        default: true
        }
    }

    /// `tls_passthrough`: the ClientHello's server name, read from the held bytes, which go on untouched.
    private func peekClientHello() {
        guard let front else { return }
        switch ClientHelloParser.parse(Array(front.heldBytes)[...]) {
        case .needMoreData:
            if front.heldCount >= EngineTuning.maxHeldBytes {
                refuse(.badClientHello, why: "ClientHello larger than the preread buffer")
            }
        case .clientHello(let name, _):
            serverName = name
            perform(machine.prereadFinished(.clientHello))
        case .notTLS(let why), .malformed(let why):
            refuse(.badClientHello, why: "Not a usable TLS ClientHello: \(why)")
        }
    }

    /// Closes a connection before any upstream was asked for, with a log line naming the reason.
    func refuse(_ reason: CloseReason, why: String, error: Error? = nil) {
        refusalWhy = why
        refusalError = error
        perform(machine.refused(reason))
    }

    private func logRefusal(_ reason: CloseReason) {
        context.logger.refusal(refusalWhy, client: client.remoteAddress.map(\.hostPortText) ?? "?",
                               listener: listener.name, reason: reason, sni: serverName, error: refusalError)
    }

    // MARK: events from the glue

    func transferred(_ bytes: Int, from side: Side) {
        lastActivity = .now()
        accounting.record?.lastActivity.store(lastActivity.uptimeNanoseconds, ordering: .relaxed)
        let n = UInt64(bytes)
        // Only this connection's own counter moves per read (one uncontended atomic); the shared listener, route,
        // upstream and node counters receive the totals at close, and snapshots add the live connections' bytes.
        if side == .client {
            bytesFromClient += n
            accounting.record?.bytesIn.wrappingAdd(n, ordering: .relaxed)
        } else {
            bytesToClient += n
            accounting.record?.bytesOut.wrappingAdd(n, ordering: .relaxed)
        }
    }

    func inputClosed(on side: Side) { perform(machine.inputClosed(side)) }

    func peerGone(_ side: Side) { machine.peerGone(side) }

    func sawError(_ error: Error, on side: Side) {
        if side == .upstream, runtime?.wantsTLS == true, error is NIOSSLError || error is BoringSSLError {
            machine.upstreamTLSFailed()
            context.logger.info("Upstream TLS handshake failed", metadata: [
                "connection.id": "\(recordID)", "upstream": "\(runtime?.key ?? "-")", "error": "\(error)",
            ])
            return
        }
        machine.peerGone(side)
        context.logger.debug("Connection error", metadata: ["connection.id": "\(recordID)", "side": "\(side)",
                                                             "error": "\(error)"])
    }

    /// The registry's kill, a drain's end: closes both channels; the first reason given is the one logged.
    func close(_ why: CloseReason) { perform(machine.close(why)) }

    private var recordID: UInt64 { accounting.record?.id ?? 0 }

    // MARK: performing the machine's actions

    private func perform(_ action: TCPSessionMachine.Action) {
        switch action {
        case .none: break
        case .route: routeConnection()
        case .runPluginPreread: runPluginPreread()
        case .runAccess: runAccess()
        case .connect(let attempt): connect(attempt: attempt)
        case .join(let halfCloseUpstream): join(halfCloseUpstream: halfCloseUpstream)
        case .discardUpstream: break
        case .halfClose(let side):
            (side == .client ? client : upstream).map(Self.closeOutputAfterWrites)
        case .closeAfterFlush:
            accounting.record?.update(state: .closing)
            for channel in [client, upstream].compactMap({ $0 }) { Self.closeAfterWrites(channel) }
        case .refuse(let reason):
            prereadTimer?.cancel()
            logRefusal(reason)
            // What the client sent counts as received, though none of it went anywhere.
            bytesFromClient = UInt64(front?.heldCount ?? 0)
            front = nil
            client.close(promise: nil)
        case .closeBoth:
            accounting.record?.update(state: .closing)
            client.close(promise: nil)
            upstream?.close(promise: nil)
        case .finish: finish()
        }
    }

    /// NIO turns an output close on a channel whose input already ended into a full close, which drops the writes
    /// still queued (a slow reader's backlog): so an orderly end waits until what was queued is written — writes
    /// complete in order, so an empty write completes after all of them.
    private static func closeOutputAfterWrites(_ channel: Channel) {
        channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(mode: .output, promise: nil) }
    }

    private static func closeAfterWrites(_ channel: Channel) {
        channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
    }

    /// What routing, the registry and the log know about this connection.
    private func connectionFacts() -> ConnectionFacts {
        let peerHost = client.remoteAddress?.ipAddress ?? "-"
        let peerPort = client.remoteAddress?.port ?? 0
        var (clientHost, clientPort) = (peerHost, peerPort)
        var realipRemote: HostPort?
        var serverHost = client.localAddress?.ipAddress ?? "-"
        var serverPort = client.localAddress?.port ?? listener.spec.port
        if proxyHeaderTrusted, let header = proxyHeader, let source = header.source {
            (clientHost, clientPort) = (source.host, source.port)
            realipRemote = HostPort(host: peerHost, port: peerPort)
            if let destination = header.destination { (serverHost, serverPort) = (destination.host, destination.port) }
        }
        var facts = ConnectionFacts(remoteAddress: IPAddress(clientHost), serverAddress: IPAddress(serverHost),
                                    serverPort: serverPort, sni: serverName, transport: .tcp)
        facts.clientHost = clientHost
        facts.clientPort = clientPort
        facts.serverHost = serverHost
        facts.proxyProtocolSource = proxyHeader?.source
        facts.proxyProtocolDestination = proxyHeader?.destination
        facts.realipRemote = realipRemote
        facts.tlsVersion = tlsVersion
        return facts
    }

    private func routeConnection() {
        prereadTimer?.cancel()
        let facts = connectionFacts()
        self.facts = facts
        // A route without an upstream of its own has a traffic-split naming one for every connection.
        guard let route = context.routingTable?.router.match(facts),
              route.upstream != nil || !route.plugins.balancers.isEmpty else {
            refuse(.noRoute, why: "No route matched; connection closed")
            return
        }
        self.route = route
        runtime = route.upstream
        let record = ConnectionRecord(id: context.registry.makeID(), clientHost: facts.clientHost,
                                      clientPort: facts.clientPort, listener: listener.name, routeID: route.route.id,
                                      upstreamKey: route.upstream?.key ?? "-", startedAt: startDate)
        let loopBound = NIOLoopBound(self, eventLoop: client.eventLoop)
        accounting.routed(record, route: route.counters) { request in
            // NIO read the upstream's local address at connect: the only request left is a close.
            guard case .close(let reason) = request else { return }
            loopBound.eventLoop.execute { loopBound.value.close(reason) }
        }
        if !route.plugins.isEmpty { pluginSession = PluginSession(facts: facts, routeID: route.route.id,
                                                                      listenAddr: listener.listenAddr) }
        perform(machine.routed(maxAttempts: route.upstream.map(Self.maxAttempts) ?? 1, phases: route.plugins.phases))
    }

    private func runPluginPreread() {
        guard let route, var session = pluginSession, let front else { return }
        if prereadTimer == nil {
            prereadTimer = client.eventLoop.assumeIsolated().scheduleTask(in: EngineTuning.prereadTimeout) {
                let unfinished = self.front.flatMap {
                    route.plugins.prereadUnfinished($0.heldBytes, satisfied: self.prereadsSatisfied, timedOut: true)
                }
                self.refuse(unfinished?.reason ?? .prereadTimeout,
                            why: unfinished?.why ?? "Plugin preread not finished in time")
            }
        }
        let verdict = route.plugins.preread(front.heldBytes, session: &session, satisfied: &prereadsSatisfied)
        pluginSession = session
        switch verdict {
        case .needMoreData:
            if front.heldCount >= EngineTuning.maxHeldBytes {
                refuse(.pluginRefused, why: "Preread plugin wants more than the preread buffer holds")
            }
        case .done:
            prereadTimer?.cancel()
            perform(machine.pluginPrereadFinished())
        case .refuse(let reason, let why):
            refuse(reason, why: why)
        }
    }

    /// Runs the access plugins from `accessIndex` on; a delay resumes here after it.
    private func runAccess() {
        guard machine.state == .admitting, let route, var session = pluginSession else { return }
        let verdict = route.plugins.access(from: &accessIndex, session: &session)
        pluginSession = session
        switch verdict {
        case .allow:
            perform(machine.admitted())
        case .refuse(let reason, let why):
            refuse(reason, why: why)
        case .delay(let amount):
            delayTimer = client.eventLoop.assumeIsolated().scheduleTask(in: amount) { self.runAccess() }
        }
    }

    // MARK: connecting

    /// Connects at most `retries + 1` times, bounded by the nodes.
    private static func maxAttempts(_ runtime: UpstreamRuntime) -> Int {
        min(runtime.upstream.maxAttempts, runtime.upstream.nodes.count)
    }

    /// The balance phase, once: the route's upstream or a balance plugin's choice, and the hash key.
    private func chooseUpstream() -> UpstreamRuntime? {
        if accounting.upstream == nil, let route, let facts {
            var chosen = runtime
            var key: String?
            if let session = pluginSession, !route.plugins.balancers.isEmpty {
                let choice = route.plugins.balance(session)
                if let other = choice.upstream {
                    chosen = other
                    machine.upstreamChosen(maxAttempts: Self.maxAttempts(other))
                }
                key = choice.hashKey
            }
            guard let chosen else { return nil }
            runtime = chosen
            hashKey = key ?? facts.hashKey(chosen.upstream.hashKey, variables: pluginSession?.variables)
            accounting.use(chosen)
        }
        return accounting.upstream
    }

    private var retryAllowed: Bool {
        guard let limit = runtime?.upstream.retryTimeout, limit > 0, !triedIndices.isEmpty else { return true }
        return NIODeadline.now() - start < .seconds(saturating: limit)
    }

    private func connect(attempt: Int) {
        guard let runtime = chooseUpstream() else {
            perform(machine.connectFailed(retryAllowed: false))  // no upstream at all: the validator prevents it
            return
        }
        guard attempt == 1 || retryAllowed,
              let index = accounting.pick(hashKey: hashKey, excluding: Set(triedIndices)) else {
            perform(machine.connectFailed(retryAllowed: false))
            return
        }
        triedIndices.append(index)
        let node = runtime.upstream.nodes[index]
        let attemptStart = NIODeadline.now()
        let plain = ClientBootstrap(group: client.eventLoop)
            .connectTimeout(.seconds(saturating: runtime.upstream.timeout.connect))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: EngineTuning.receiveAllocator)
            .channelOption(.writeBufferWaterMark, value: EngineTuning.writeWaterMark)
        // SO_KEEPALIVE only when asked for: no extra system call otherwise.
        let bootstrap = runtime.upstream.socketKeepalive
            ? plain.channelOption(.socketOption(.so_keepalive), value: 1) : plain
        let connecting = runtime.connect(node: index, names: context.names, on: client.eventLoop) {
            bootstrap.connect(to: $0)
        }
        connecting.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                let took = NIODeadline.now() - attemptStart
                runtime.nodeHealth[index].connectSucceeded(latency: took) // health: issue 11
                self.connected(channel, index: index, took: took)
            case .failure(let error):
                let took = NIODeadline.now() - attemptStart
                runtime.nodeHealth[index].connectFailed(cause: HealthCause(error: error), after: took) // issue 11
                runtime.connectFailed(node: index, names: self.context.names)
                self.accounting.connectFailed(node: index)
                self.context.logger.info("Upstream connect failed", metadata: [
                    "connection.id": "\(self.recordID)", "upstream": "\(runtime.key)",
                    "node": "\(node.address)", "error": "\(error)",
                ])
                let untried = self.triedIndices.count < runtime.upstream.nodes.count
                self.perform(self.machine.connectFailed(retryAllowed: untried && self.retryAllowed))
            }
        }
    }

    private func connected(_ channel: Channel, index: Int, took: TimeAmount) {
        let action = machine.connected()
        guard case .join = action else {
            channel.close(promise: nil)
            return
        }
        upstream = channel
        connectTime = Double(took.nanoseconds) / 1e9
        // NIO cached the local address when it started the connect: no syscall here.
        accounting.chose(node: index, state: .proxying, upstreamLocal: channel.localAddress, connectSeconds: connectTime)
        channel.closeFuture.assumeIsolated().whenComplete { _ in self.perform(self.machine.channelClosed(.upstream)) }
        perform(action)
    }

    /// HAProxy's `send-proxy`: the client and the address it connected to, as this session knows them.
    private func proxyHeader(_ version: String, facts: ConnectionFacts) -> [UInt8] {
        let source = ProxyProtocolEndpoint(host: facts.clientHost, port: facts.clientPort)
        let destination = ProxyProtocolEndpoint(host: facts.serverHost, port: facts.serverPort)
        return version == "v2" ? ProxyProtocolEncoder.v2(source: source, destination: destination, transport: .tcp)
            : ProxyProtocolEncoder.v1(source: source, destination: destination)
    }

    private func join(halfCloseUpstream: Bool) {
        guard let channel = upstream, let runtime, let facts, let index = accounting.nodeIndex else { return }
        let throttles = route?.plugins.throttles() ?? .none
        let (clientGlue, upstreamGlue) = GlueHandler.matchedPair(session: self, throttles: throttles)
        do {
            try Self.pace(client, throttles.upload)
            try Self.pace(channel, throttles.download)
            // A PROXY header goes first on the wire, before any TLS to the node.
            if let version = runtime.upstream.sendProxyProtocol {
                channel.writeAndFlush(channel.allocator.buffer(bytes: proxyHeader(version, facts: facts)), promise: nil)
            }
            if runtime.wantsTLS {
                guard let tls = runtime.tlsContext else {
                    throw EngineError.upstreamTLS(runtime.tlsProblem ?? "no context")
                }
                let name = UpstreamTLSContext.serverName(clientSNI: facts.sni, tls: runtime.upstream.tls,
                                                         nodeHost: runtime.upstream.nodes[index].host)
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
            }
            try client.pipeline.syncOperations.addHandler(clientGlue)
            try channel.pipeline.syncOperations.addHandler(upstreamGlue)
            front?.release()
            front = nil
            if halfCloseUpstream { Self.closeOutputAfterWrites(channel) }
            try client.syncOptions?.setOption(.autoRead, value: true)
            try channel.syncOptions?.setOption(.autoRead, value: true)
        } catch {
            context.logger.error("Cannot join proxy channels", metadata: ["error": "\(error)"])
            perform(machine.joinFailed())
            return
        }
        armIdleTimer()
    }

    /// A throttled channel reads at most one throttle-sized buffer per wake-up, so the pace stays even.
    private static func pace(_ channel: Channel, _ throttle: ReadThrottle?) throws {
        guard let throttle, let options = channel.syncOptions else { return }
        try options.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: throttle.readSize))
        try options.setOption(.maxMessagesPerRead, value: 1)
    }

    private func armIdleTimer() {
        guard let runtime else { return }
        let idle = TimeAmount.seconds(saturating: runtime.upstream.timeout.idle)
        idleTimer = client.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity.adding(saturating: idle)) {
            guard self.machine.state != .closed else { return }
            if NIODeadline.now() - self.lastActivity >= idle {
                if self.machine.state == .closing {
                    // Ended normally, but a reader never takes the last queued bytes.
                    self.client.close(promise: nil)
                    self.upstream?.close(promise: nil)
                } else {
                    self.perform(self.machine.idleTimedOut())
                }
            } else {
                self.armIdleTimer()
            }
        }
    }

    // MARK: the end

    private func finish() {
        prereadTimer?.cancel()
        delayTimer?.cancel()
        idleTimer?.cancel()
        idleTimer = nil
        front = nil
        let reason = machine.reason ?? .clientClosed
        accounting.finish(bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, reason: reason)
        let accessLog = context.accessLog(forListener: listener.name)
        guard accessLog != nil || !(route?.plugins.loggers.isEmpty ?? true) else { return }
        let record = SessionLogRecord.make(
            id: accounting.record?.id ?? context.registry.makeID(), transport: "TCP",
            facts: facts ?? connectionFacts(), status: machine.status, reason: reason,
            bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, start: startDate,
            upstream: accounting.upstream, nodeIndex: accounting.nodeIndex, tried: triedIndices,
            connectTime: connectTime, routeID: route?.route.id, variables: pluginSession?.variables)
        accessLog?.log(record)
        route?.plugins.log(record, session: pluginSession)
    }
}
