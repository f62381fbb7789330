import Foundation
import NIOCore
import NIOPosix
import SluiceConfig

/// One UDP client of one listener: executes what its `UDPSessionMachine` decides — the access plugins, its own
/// connected socket towards the chosen node, replies relayed back to the client, an idle timeout — with counters,
/// a registry entry and one access-log line like a TCP connection's. Lives on the listener's event loop.
final class UDPSession {
    private let context: EngineContext
    private let listenerChannel: Channel
    private let client: SocketAddress
    /// The listener's name, which chooses the access log.
    private let listenerName: String
    private let facts: ConnectionFacts
    private let route: CompiledRoute
    /// The route's upstream until the balance phase chose (nil for a route whose traffic-split names every one).
    private var runtime: UpstreamRuntime?
    private let accounting: SessionAccounting
    private var machine: UDPSessionMachine
    private let onEnd: (SocketAddress) -> Void
    private let startDate = Date()
    private var pluginSession: PluginSession?
    /// limit-bandwidth: datagrams beyond a rate are dropped (a datagram cannot wait unless it is buffered).
    private let throttles: SessionThrottles
    private var accessIndex = 0
    private var delayTimer: Scheduled<Void>?
    private var upstream: UDPUpstreamSocket?
    private var waiting: [ByteBuffer] = []
    /// The client's datagrams of the listener's current read, sent together when it ends.
    private var outgoing: [ByteBuffer] = []
    private var waitingBytes = 0
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var bytesFromClient: UInt64 = 0
    private var bytesToClient: UInt64 = 0

    /// Datagrams held while the access phase runs and the upstream socket is being set up, at most.
    static let maxWaitingBytes = 256 * 1024

    init(context: EngineContext, listenerChannel: Channel, listener: ListenerRuntime, client: SocketAddress,
         facts: ConnectionFacts, route: CompiledRoute, expectedReplies: Int?,
         onEnd: @escaping (SocketAddress) -> Void) {
        self.context = context
        self.listenerChannel = listenerChannel
        self.client = client
        listenerName = listener.name
        self.facts = facts
        self.route = route
        self.runtime = route.upstream
        self.onEnd = onEnd
        machine = UDPSessionMachine(expectedReplies: expectedReplies)
        throttles = route.plugins.throttles()
        accounting = SessionAccounting(registry: context.registry, listener: listener.counters)
        let record = ConnectionRecord(id: context.registry.makeID(), clientHost: facts.clientHost,
                                      clientPort: facts.clientPort, listener: listener.name, routeID: route.route.id,
                                      upstreamKey: route.upstream?.key ?? "-", transport: "udp",
                                      startedAt: startDate)
        let bound = NIOLoopBound(self, eventLoop: listenerChannel.eventLoop)
        accounting.routed(record, route: route.counters) { request in
            bound.eventLoop.execute { bound.value.handle(request) }
        }
        if !route.plugins.isEmpty { pluginSession = PluginSession(facts: facts, routeID: route.route.id,
                                                                      listenAddr: listener.listenAddr) }
    }

    func begin() {
        armIdleTimer()
        perform(machine.begin(access: !route.plugins.accessors.isEmpty))
    }

    /// Ends the session: counters, registry, access log; the next datagram from this client starts a new one.
    func close(_ why: CloseReason) { perform(machine.close(why)) }

    /// A request from the registry, on the session's loop.
    private func handle(_ request: ConnectionRequest) {
        switch request {
        case .close(let reason): close(reason)
        case .readUpstreamLocalAddress:
            // One getsockname, only when someone inspects the session.
            if let address = upstream?.localAddress() { accounting.record?.update(upstreamLocal: address) }
        }
    }

    private func perform(_ action: UDPSessionMachine.Action) {
        switch action {
        case .none, .discardSocket: break
        case .runAccess: runAccess()
        case .openSocket: openSocket()
        case .sendWaiting:
            let held = waiting
            waiting = []
            waitingBytes = 0
            send(held)
        case .finish: finish()
        }
    }

    /// Runs the access plugins from `accessIndex` on; a delay resumes here after it.
    private func runAccess() {
        guard machine.state == .admitting, var session = pluginSession else { return }
        while accessIndex < route.plugins.accessors.count {
            let verdict = route.plugins.accessors[accessIndex].access(&session)
            pluginSession = session
            accessIndex += 1
            switch verdict {
            case .allow: continue
            case .refuse(let reason, let why):
                context.logger.info("\(why)", metadata: ["client": "\(client.hostPortText)",
                                                         "close_reason": "\(reason.rawValue)"])
                close(reason)
                return
            case .delay(let amount):
                delayTimer = listenerChannel.eventLoop.assumeIsolated().scheduleTask(in: amount) { self.runAccess() }
                return
            }
        }
        perform(machine.admitted())
    }

    private func openSocket() {
        var key: String?
        if let session = pluginSession, !route.plugins.balancers.isEmpty {
            let choice = route.plugins.balance(session)
            if let other = choice.upstream { runtime = other }
            key = choice.hashKey
        }
        guard let runtime else {
            perform(machine.socketFailed())  // no upstream at all: the validator prevents it
            return
        }
        // The chosen upstream's own hash key (a traffic-split may choose one hashing otherwise than the route's).
        key = key ?? facts.hashKey(runtime.upstream.hashKey, variables: pluginSession?.variables)
        accounting.use(runtime)
        guard let index = accounting.pick(hashKey: key, excluding: []) else {
            perform(machine.socketFailed())
            return
        }
        accounting.chose(node: index, state: .connecting)
        let loop = listenerChannel.eventLoop
        let receiver = Self.receiver(NIOLoopBound(self, eventLoop: loop))
        let connecting = runtime.connect(node: index, names: context.names, on: loop) { address in
            loop.makeCompletedFuture { try UDPReplyPump.shared.get().open(to: address, receiver: receiver) }
        }
        connecting.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let socket): self.socketReady(socket)
            case .failure(let error):
                self.accounting.connectFailed(node: index)
                self.context.logger.info("UDP upstream socket failed", metadata: ["error": "\(error)"])
                self.perform(self.machine.socketFailed())
            }
        }
    }

    /// Where the pump's thread hands this session's replies and read errors: onto the session's loop.
    private static func receiver(_ bound: NIOLoopBound<UDPSession>) -> UDPReplyPump.Receiver {
        UDPReplyPump.Receiver(
            replies: { datagrams in bound.eventLoop.execute { bound.value.fromUpstream(datagrams) } },
            failed: { code in
                bound.eventLoop.execute { bound.value.upstreamError(IOError(errnoCode: code, reason: "recv")) }
            })
    }

    private func socketReady(_ socket: UDPUpstreamSocket) {
        let action = machine.socketReady()
        guard action == .sendWaiting else {
            socket.close()
            return
        }
        upstream = socket
        accounting.record?.update(state: .proxying)
        perform(action)
    }

    /// A datagram from the client: sent to the node with the others of the same read (`flushToUpstream`).
    /// - Returns: true when the datagram waits for `flushToUpstream` and the session was not waiting already.
    func fromClient(_ data: ByteBuffer) -> Bool {
        guard machine.state != .closed, Self.passes(data, throttles.upload) else { return false }
        lastActivity = .now()
        accounting.record?.lastActivity.store(lastActivity.uptimeNanoseconds, ordering: .relaxed)
        bytesFromClient += UInt64(data.readableBytes)
        accounting.record?.bytesIn.wrappingAdd(UInt64(data.readableBytes), ordering: .relaxed)
        if machine.state == .relaying {
            outgoing.append(data)
            return outgoing.count == 1
        } else if waitingBytes + data.readableBytes <= Self.maxWaitingBytes {
            waiting.append(data)
            waitingBytes += data.readableBytes
        }
        return false
    }

    /// Sends the client's datagrams of the listener's last read (one `sendmmsg`).
    func flushToUpstream() {
        let batch = outgoing
        outgoing = []
        send(batch)
    }

    /// Sends datagrams to the node; a full socket buffer drops them (as UDP may), a closed port ends the session.
    private func send(_ datagrams: [ByteBuffer]) {
        guard let upstream, !datagrams.isEmpty else { return }
        switch upstream.send(datagrams) {
        case 0: break
        case ECONNREFUSED: upstreamError(IOError(errnoCode: ECONNREFUSED, reason: "send"))
        case let code:
            context.logger.debug("UDP datagrams to the node dropped", metadata: [
                "connection.id": "\(accounting.record?.id ?? 0)", "errno": "\(code)",
            ])
        }
    }

    /// Datagrams from the node, in arrival order: relayed to the client through the listener's socket and flushed
    /// once (NIO sends them with one `sendmmsg`); those after the session ended (`proxy_responses` reached) are
    /// dropped.
    func fromUpstream(_ datagrams: [ByteBuffer]) {
        var relayed = false
        for data in datagrams {
            guard machine.state == .relaying else { break }
            guard Self.passes(data, throttles.download) else { continue }
            bytesToClient += UInt64(data.readableBytes)
            accounting.record?.bytesOut.wrappingAdd(UInt64(data.readableBytes), ordering: .relaxed)
            listenerChannel.write(AddressedEnvelope(remoteAddress: client, data: data), promise: nil)
            relayed = true
            let action = machine.replyRelayed()
            if action != .none {
                // The last reply the session waits for: out before the session ends.
                listenerChannel.flush()
                relayed = false
                perform(action)
            }
        }
        guard relayed else { return }
        listenerChannel.flush()
        lastActivity = .now()
        accounting.record?.lastActivity.store(lastActivity.uptimeNanoseconds, ordering: .relaxed)
    }

    private static func passes(_ data: ByteBuffer, _ throttle: ReadThrottle?) -> Bool {
        throttle?.admits(data.readableBytes, now: NIODeadline.now().uptimeNanoseconds) ?? true
    }

    func upstreamError(_ error: Error) {
        if let index = accounting.nodeIndex, let chosen = accounting.upstream {
            accounting.connectFailed(node: index)
            chosen.nodeHealth[index].connectFailed(cause: HealthCause(error: error)) // health: issue 11
        }
        context.logger.debug("UDP upstream error",
                             metadata: ["connection.id": "\(accounting.record?.id ?? 0)", "error": "\(error)"])
        close(.upstreamUnreachable)
    }

    private func armIdleTimer() {
        let idle = TimeAmount.seconds(saturating: (runtime?.upstream.timeout ?? UpstreamTimeouts()).udpIdle)
        idleTimer = listenerChannel.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity.adding(saturating: idle)) {
            guard self.machine.state != .closed else { return }
            if NIODeadline.now() - self.lastActivity >= idle { self.close(.idleTimeout) } else { self.armIdleTimer() }
        }
    }

    private func finish() {
        idleTimer?.cancel()
        idleTimer = nil
        delayTimer?.cancel()
        upstream?.close()
        upstream = nil
        onEnd(client)
        let reason = machine.reason ?? .clientClosed
        accounting.finish(bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, reason: reason)
        let loggers = route.plugins.loggers
        let accessLog = context.accessLog(forListener: listenerName)
        guard accessLog != nil || !loggers.isEmpty else { return }
        let node = accounting.nodeIndex
        let record = SessionLogRecord.make(
            id: accounting.record?.id ?? 0, transport: "UDP", facts: facts, status: machine.status, reason: reason,
            bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, start: startDate,
            upstream: accounting.upstream, nodeIndex: node, tried: node.map { [$0] } ?? [], connectTime: nil,
            routeID: route.route.id)
        accessLog?.log(record)
        if let session = pluginSession { for plugin in loggers { plugin.log(record, session: session) } }
    }
}
