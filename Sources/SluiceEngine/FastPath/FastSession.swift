#if canImport(Glibc)
import CSluiceSyscalls
import Foundation
import Glibc
import Logging
import NIOCore
import SluiceConfig

/// One connection proxied by the kernel fast path: raw non-blocking sockets moved by `FastPathLoop`, executing
/// what the same `TCPSessionMachine` as the NIO path decides — connect with timeout and retries, half-close both
/// ways, backpressure (a direction stops reading while the bytes it read wait for the other socket), idle
/// timeout, kill and drain — and ending in the same `SessionAccounting` and access-log record.
///
/// Touched on its loop's thread only (the registry's closer hops there with `execute`).
final class FastSession: @unchecked Sendable {
    typealias Side = TCPSessionMachine.Side

    /// Edge-triggered, registered once per socket.
    static let interest = CSLUICE_EPOLLIN | CSLUICE_EPOLLOUT | CSLUICE_EPOLLRDHUP | CSLUICE_EPOLLET
    /// Bytes one direction moves per loop round before the other sessions get their turn.
    static let roundBudget = 1 << 20
    /// A direction that has moved this much is bulk: it switches from copying to `splice(2)` through a pipe of its
    /// own (HAProxy's way), so its bytes no longer cross user space. Short connections never pay for the pipe.
    static let spliceThreshold: UInt64 = 256 * 1024
    /// The pipe each spliced direction asks for (the kernel may give less).
    static let pipeSize: Int32 = 1 << 20

    unowned let loop: FastPathLoop
    /// The epoll key of the client socket; the upstream socket's is `key | attempt << 1 | 1`.
    let key: UInt64
    private var machine = TCPSessionMachine(prereads: [])
    private var clientFD: Int32
    private var upstreamFD: Int32 = -1
    private var upstreamJoined = false
    private var attempt = 0
    private let listener: ListenerRuntime
    private let facts: ConnectionFacts
    private let route: CompiledRoute
    private let runtime: UpstreamRuntime
    private let accounting: SessionAccounting
    private let startDate = Date()
    private let start = NIODeadline.now()
    private var triedIndices: [Int] = []
    private var attemptStart = NIODeadline.now()
    private var connectDeadline: NIODeadline?
    private var connectTime: Double?
    private var lastActivity = NIODeadline.now()
    private let idle: TimeAmount
    /// What the route's access and log plugins see of the session (nil for a route without plugins).
    private var pluginSession: PluginSession?
    /// The next access plugin to ask (a delay resumes there).
    private var accessIndex = 0
    /// An access plugin's words for its refusal, for the engine log.
    private var refusalWhy: String?
    private var bytesFromClient: UInt64 = 0
    private var bytesToClient: UInt64 = 0
    /// Per destination side: bytes read that wait for that socket to take them.
    private var pendingToClient: [UInt8] = []
    private var pendingToUpstream: [UInt8] = []
    /// Per source side: the socket may hold unread bytes (edge-triggered: read until EAGAIN).
    private var clientReadable = false
    private var upstreamReadable = false
    /// Per source side: epoll reported the peer's FIN (or an error): read until EOF.
    private var clientHangup = false
    private var upstreamHangup = false
    /// Per source side, once bulk: the pipe its bytes go through, and how many wait in it.
    private var clientPipe: SplicePipe?
    private var upstreamPipe: SplicePipe?
    /// Per destination side: a half-close waits for the pending bytes.
    private var shutdownClientAfterFlush = false
    /// Per destination side: the socket closes once the pending bytes are written (both directions ended).
    private var closeClientAfterFlush = false
    private var closeUpstreamAfterFlush = false
    private var shutdownUpstreamAfterFlush = false

    init(loop: FastPathLoop, key: UInt64, clientFD: Int32, listener: ListenerRuntime, facts: ConnectionFacts,
         route: CompiledRoute, upstream: UpstreamRuntime) {
        self.loop = loop
        self.key = key
        self.clientFD = clientFD
        self.listener = listener
        self.facts = facts
        self.route = route
        self.runtime = upstream
        idle = .seconds(saturating: upstream.upstream.timeout.idle)
        accounting = SessionAccounting(registry: loop.context.registry, listener: listener.counters)
    }

    func begin() {
        let record = ConnectionRecord(id: loop.context.registry.makeID(), clientHost: facts.clientHost,
                                      clientPort: facts.clientPort, listener: listener.name, routeID: route.route.id,
                                      upstreamKey: runtime.key, startedAt: startDate)
        let loop = self.loop
        accounting.routed(record, route: route.counters) { [self] request in loop.execute { self.handle(request) } }
        accounting.use(runtime)
        if !route.plugins.isEmpty {
            pluginSession = PluginSession(facts: facts, routeID: route.route.id, listenAddr: listener.listenAddr)
        }
        _ = machine.accepted()
        let maxAttempts = min(runtime.upstream.maxAttempts, runtime.upstream.nodes.count)
        perform(machine.routed(maxAttempts: maxAttempts, phases: route.plugins.phases))
    }

    /// Runs the access plugins from `accessIndex` on (again after a delay).
    func runAccess() {
        guard machine.state == .admitting, var session = pluginSession else { return }
        let verdict = route.plugins.access(from: &accessIndex, session: &session)
        pluginSession = session
        switch verdict {
        case .allow:
            perform(machine.admitted())
        case .refuse(let reason, let why):
            refusalWhy = why
            perform(machine.refused(reason))
        case .delay(let amount):
            loop.runAccess(of: self, after: amount)
        }
    }

    /// The registry's kill, a drain's end.
    func close(_ why: CloseReason) { perform(machine.close(why)) }

    /// A request from the registry, on this loop's thread.
    private func handle(_ request: ConnectionRequest) {
        switch request {
        case .close(let reason): close(reason)
        case .readUpstreamLocalAddress:
            // One getsockname, only when someone inspects the connection (never at connect).
            guard upstreamJoined, upstreamFD >= 0 else { return }
            let local = RawSocket.localAddress(upstreamFD)
            guard let ip = local.ip, let address = try? SocketAddress(ipAddress: ip.description, port: local.port)
            else { return }
            accounting.record?.update(upstreamLocal: address)
        }
    }

    // MARK: socket events

    func handle(events: UInt32, upstreamKey: UInt64?) {
        let hangup = CSLUICE_EPOLLIN | CSLUICE_EPOLLRDHUP | CSLUICE_EPOLLHUP | CSLUICE_EPOLLERR
        let peerEnded = events & (CSLUICE_EPOLLRDHUP | CSLUICE_EPOLLHUP | CSLUICE_EPOLLERR) != 0
        let failed = events & CSLUICE_EPOLLERR != 0
        guard let upstreamKey else {
            if events & hangup != 0 { clientReadable = true }
            if peerEnded { clientHangup = true }
            if events & CSLUICE_EPOLLOUT != 0 { flush(to: .client) }
            pump(from: .client)
            if failed && machine.isJoined { socketFailed(.client) }
            return
        }
        guard upstreamKey == currentUpstreamKey, upstreamFD >= 0 else { return } // an earlier attempt's socket
        if peerEnded { upstreamHangup = true }
        if case .connecting = machine.state {
            guard events & (CSLUICE_EPOLLOUT | CSLUICE_EPOLLERR | CSLUICE_EPOLLHUP) != 0 else { return }
            if events & hangup != 0 { upstreamReadable = true }
            connectFinished()
            return
        }
        if events & hangup != 0 { upstreamReadable = true }
        if events & CSLUICE_EPOLLOUT != 0 { flush(to: .upstream) }
        pump(from: .upstream)
        if failed && machine.isJoined { socketFailed(.upstream) }
    }

    /// `side`'s socket failed — a reset, even one after its FIN, which `read` no longer reports: once what it still
    /// held is read, it is gone both ways, so the session ends now (as NIO's channel error ends it) instead of
    /// waiting on the other side.
    private func socketFailed(_ side: Side) {
        machine.peerGone(side)
        closeBoth()
    }

    var currentUpstreamKey: UInt64 { key | UInt64(attempt & 0x7F) << 1 | 1 }

    /// Continues reading after a round's budget ran out.
    func resume() {
        pump(from: .client)
        pump(from: .upstream)
    }

    /// Connect and idle timeouts (the loop's sweep).
    func checkTimers(_ now: NIODeadline) {
        if case .connecting = machine.state, let deadline = connectDeadline, now >= deadline {
            connectFailed(ETIMEDOUT)
        } else if machine.isJoined, now - lastActivity >= idle {
            perform(machine.idleTimedOut())
        } else if machine.state == .closing, now - lastActivity >= idle {
            closeBoth()  // a reader that never takes the last bytes
        }
    }

    // MARK: performing the machine's actions

    private func perform(_ action: TCPSessionMachine.Action) {
        switch action {
        case .none, .route, .runPluginPreread, .join:
            break
        case .runAccess: runAccess()
        case .connect(let attempt): connect(attempt: attempt)
        case .discardUpstream: closeUpstreamAttempt()
        case .halfClose(let side): halfClose(side)
        case .refuse(let reason):
            loop.context.logger.refusal(refusalWhy, client: HostPort(host: facts.clientHost, port: facts.clientPort)
                .description, listener: listener.name, reason: reason)
            closeSocket(.client)
        case .closeBoth: closeBoth()
        case .closeAfterFlush: closeAfterFlush()
        case .finish: finish()
        }
    }

    private var retryAllowed: Bool {
        guard let limit = runtime.upstream.retryTimeout, limit > 0, !triedIndices.isEmpty else { return true }
        return NIODeadline.now() - start < .seconds(saturating: limit)
    }

    private func connect(attempt: Int) {
        guard attempt == 1 || retryAllowed,
              let index = accounting.pick(hashKey: facts.hashKey(runtime.upstream.hashKey),
                                          excluding: Set(triedIndices)),
              let address = runtime.nodeAddresses[index] else {
            perform(machine.connectFailed(retryAllowed: false))
            return
        }
        triedIndices.append(index)
        self.attempt = attempt
        attemptStart = .now()
        guard let fd = RawSocket.startConnect(to: address, keepalive: runtime.upstream.socketKeepalive) else {
            connectFailed(errno)
            return
        }
        upstreamFD = fd
        connectDeadline = attemptStart.adding(saturating: .seconds(saturating: runtime.upstream.timeout.connect))
        loop.register(upstreamFD: fd, key: currentUpstreamKey)
    }

    private func connectFinished() {
        let error = RawSocket.connectError(upstreamFD)
        guard error == 0 else {
            connectFailed(error)
            return
        }
        guard case .join = machine.connected(), let index = triedIndices.last else {
            closeUpstreamAttempt()
            return
        }
        upstreamJoined = true
        connectDeadline = nil
        connectTime = Double((NIODeadline.now() - attemptStart).nanoseconds) / 1e9
        runtime.nodeHealth[index].connectSucceeded(latency: NIODeadline.now() - attemptStart) // health: issue 11
        lastActivity = .now()
        accounting.chose(node: index, state: .proxying, connectSeconds: connectTime)
        // The client may have sent (and ended) already: edge-triggered, so look now.
        clientReadable = true
        pump(from: .client)
        pump(from: .upstream)
    }

    private func connectFailed(_ error: Int32) {
        guard let index = triedIndices.last else { return }
        closeUpstreamAttempt()
        accounting.connectFailed(node: index)
        let took = NIODeadline.now() - attemptStart
        runtime.nodeHealth[index].connectFailed(cause: HealthCause(errno: error), after: took) // health: issue 11
        loop.context.logger.info("Upstream connect failed", metadata: [
            "connection.id": "\(accounting.record?.id ?? 0)", "upstream": "\(runtime.key)",
            "node": "\(runtime.upstream.nodes[index].address)",
            "error": "\(error == ETIMEDOUT ? "connect timed out" : String(cString: strerror(error)))",
        ])
        let untried = triedIndices.count < runtime.upstream.nodes.count
        perform(machine.connectFailed(retryAllowed: untried && retryAllowed))
    }

    private func closeUpstreamAttempt() {
        guard upstreamFD >= 0, !upstreamJoined else { return }
        Glibc.close(upstreamFD)
        upstreamFD = -1
        connectDeadline = nil
    }

    // MARK: moving bytes

    private func fd(_ side: Side) -> Int32 { side == .client ? clientFD : upstreamFD }

    private func readable(_ side: Side) -> Bool { side == .client ? clientReadable : upstreamReadable }

    private func closeWhenFlushed(_ side: Side) -> Bool { side == .client ? closeClientAfterFlush : closeUpstreamAfterFlush }

    private func hangupSeen(_ side: Side) -> Bool { side == .client ? clientHangup : upstreamHangup }

    private func setReadable(_ side: Side, _ value: Bool) {
        if side == .client { clientReadable = value } else { upstreamReadable = value }
    }

    private func hasPending(to side: Side) -> Bool {
        if let pipe = pipe(from: side.other), pipe.buffered > 0 { return true }
        return side == .client ? !pendingToClient.isEmpty : !pendingToUpstream.isEmpty
    }

    private func pipe(from side: Side) -> SplicePipe? { side == .client ? clientPipe : upstreamPipe }

    private func setPipe(from side: Side, _ pipe: SplicePipe?) {
        if side == .client { clientPipe = pipe } else { upstreamPipe = pipe }
    }

    private func moved(from side: Side) -> UInt64 { side == .client ? bytesFromClient : bytesToClient }

    /// Splices what `side` sends into its pipe and out to the other socket; the same backpressure as copying:
    /// while bytes wait in the pipe, `side` is not read.
    private func splicePump(from side: Side, moved alreadyMoved: Int) {
        let destination = side.other
        var moved = alreadyMoved
        while fd(destination) >= 0, var pipe = pipe(from: side) {
            if pipe.buffered > 0 {
                let out = csluice_splice(pipe.readFD, fd(destination), UInt(pipe.buffered))
                if out > 0 {
                    pipe.buffered -= out
                    setPipe(from: side, pipe)
                } else if out < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                    machine.peerGone(destination)
                    closeBoth()
                    return
                }
                if pipe.buffered > 0 { return }  // the other socket is full: wait for EPOLLOUT
            }
            guard machine.isJoined, fd(side) >= 0, readable(side) else { return }
            if moved >= Self.roundBudget {
                loop.continueLater(self)
                return
            }
            let n = csluice_splice(fd(side), pipe.writeFD, UInt(pipe.capacity))
            if n > 0 {
                moved += n
                pipe.buffered = n
                setPipe(from: side, pipe)
                counted(n, from: side)
                // No short-read shortcut here: a splice into a pipe can stop short of its capacity (one pipe slot
                // per socket buffer fragment) while the socket still holds bytes; read on until EAGAIN.
            } else if endOfRead(n, from: side) {
                return
            }
        }
    }

    /// Reads what `side` sent and writes it to the other socket, until `side` has nothing more, the other socket
    /// is full (the rest waits in `pending`, and reading stops: backpressure) or the round's budget is spent.
    private func pump(from side: Side) {
        let destination = side.other
        var moved = 0
        if pipe(from: side) != nil {
            splicePump(from: side, moved: 0)
            return
        }
        while machine.isJoined, readable(side), fd(side) >= 0, fd(destination) >= 0 {
            if hasPending(to: destination) { return }
            if self.moved(from: side) >= Self.spliceThreshold, let pipe = SplicePipe(size: Self.pipeSize) {
                setPipe(from: side, pipe)
                splicePump(from: side, moved: moved)
                return
            }
            if moved >= Self.roundBudget {
                loop.continueLater(self)
                return
            }
            let buffer = loop.buffer
            let n = Glibc.read(fd(side), buffer.baseAddress, buffer.count)
            if n > 0 {
                moved += n
                counted(n, from: side)
                // A short read drained the socket: the next byte or FIN raises a new edge (nginx's `ready = 0`),
                // so no read just to see EAGAIN — unless the peer's FIN is already known (RDHUP came with the
                // bytes), which no later edge would report.
                if n < buffer.count && !hangupSeen(side) { setReadable(side, false) }
                let written = Glibc.send(fd(destination), buffer.baseAddress, n, Int32(MSG_NOSIGNAL))
                if written == n { continue }
                if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                    machine.peerGone(destination)
                    closeBoth()
                    return
                }
                let rest = UnsafeRawBufferPointer(rebasing: buffer[max(0, written)..<n])
                if destination == .client { pendingToClient = Array(rest) } else { pendingToUpstream = Array(rest) }
                return
            } else if endOfRead(n, from: side) {
                return
            }
        }
    }

    /// A read (or splice) from `side` that moved nothing: EOF passes the half-close on, EAGAIN waits for the next
    /// edge, an error ends the session. - Returns: false only for EINTR (read again).
    private func endOfRead(_ n: Int, from side: Side) -> Bool {
        if n == 0 {
            setReadable(side, false)
            perform(machine.inputClosed(side))
        } else if errno == EAGAIN || errno == EWOULDBLOCK {
            setReadable(side, false)
        } else if errno == EINTR {
            return false
        } else {
            machine.peerGone(side)
            closeBoth()
        }
        return true
    }

    private func counted(_ n: Int, from side: Side) {
        lastActivity = .now()
        accounting.record?.lastActivity.store(lastActivity.uptimeNanoseconds, ordering: .relaxed)
        let bytes = UInt64(n)
        if side == .client {
            bytesFromClient += bytes
            accounting.record?.bytesIn.wrappingAdd(bytes, ordering: .relaxed)
        } else {
            bytesToClient += bytes
            accounting.record?.bytesOut.wrappingAdd(bytes, ordering: .relaxed)
        }
    }

    /// Writes the bytes waiting for `side`; once they are all out, a waiting half-close is done and the other side
    /// reads again.
    private func flush(to side: Side) {
        guard fd(side) >= 0, hasPending(to: side) else { return }
        if pipe(from: side.other) != nil {
            splicePump(from: side.other, moved: 0)
            guard !hasPending(to: side) else { return }
            if closeWhenFlushed(side) {
                closeSocket(side)
            } else if side == .client ? shutdownClientAfterFlush : shutdownUpstreamAfterFlush {
                Glibc.shutdown(fd(side), Int32(SHUT_WR))
            }
            return
        }
        let written: Int = (side == .client ? pendingToClient : pendingToUpstream).withUnsafeBytes {
            Glibc.send(fd(side), $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if written < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            machine.peerGone(side)
            closeBoth()
            return
        }
        if side == .client { pendingToClient.removeFirst(written) } else { pendingToUpstream.removeFirst(written) }
        guard !hasPending(to: side) else { return }
        if closeWhenFlushed(side) {
            closeSocket(side)
            return
        }
        if side == .client ? shutdownClientAfterFlush : shutdownUpstreamAfterFlush {
            Glibc.shutdown(fd(side), Int32(SHUT_WR))
        }
        pump(from: side.other)
    }

    private func halfClose(_ side: Side) {
        guard fd(side) >= 0 else { return }
        if hasPending(to: side) {
            if side == .client { shutdownClientAfterFlush = true } else { shutdownUpstreamAfterFlush = true }
        } else {
            Glibc.shutdown(fd(side), Int32(SHUT_WR))
        }
    }

    // MARK: the end

    /// Both directions ended: each socket closes once the bytes waiting for it are written.
    private func closeAfterFlush() {
        accounting.record?.update(state: .closing)
        for side in [Side.client, .upstream] {
            if hasPending(to: side) {
                if side == .client { closeClientAfterFlush = true } else { closeUpstreamAfterFlush = true }
            } else {
                closeSocket(side)
            }
        }
    }

    private func closeBoth() {
        accounting.record?.update(state: .closing)
        closeSocket(.client)
        closeSocket(.upstream)
    }

    /// Closes one socket (closing it also removes it from epoll) and tells the machine, as a close future would.
    private func closeSocket(_ side: Side) {
        if side == .upstream && !upstreamJoined {
            closeUpstreamAttempt()
            return
        }
        let descriptor = fd(side)
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        if side == .client { clientFD = -1 } else { upstreamFD = -1 }
        perform(machine.channelClosed(side))
    }

    private func finish() {
        closeUpstreamAttempt()
        clientPipe?.close()
        upstreamPipe?.close()
        clientPipe = nil
        upstreamPipe = nil
        loop.ended(self)
        pendingToClient = []
        pendingToUpstream = []
        let reason = machine.reason ?? .clientClosed
        accounting.finish(bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, reason: reason)
        let accessLog = loop.context.accessLog(forListener: listener.name)
        guard accessLog != nil || !route.plugins.loggers.isEmpty else { return }
        let record = SessionLogRecord.make(
            id: accounting.record?.id ?? 0, transport: "TCP", facts: facts, status: machine.status, reason: reason,
            bytesFromClient: bytesFromClient, bytesToClient: bytesToClient, start: startDate,
            upstream: accounting.upstream, nodeIndex: accounting.nodeIndex, tried: triedIndices,
            connectTime: connectTime, routeID: route.route.id)
        accessLog?.log(record)
        route.plugins.log(record, session: pluginSession)
    }
}
/// The pipe a bulk direction splices through.
struct SplicePipe {
    let readFD: Int32
    let writeFD: Int32
    let capacity: Int
    /// Bytes in the pipe not yet spliced out.
    var buffered = 0

    init?(size: Int32) {
        var fds: [Int32] = [-1, -1]
        var size = size
        guard csluice_pipe(&fds, &size) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        capacity = Int(size)
    }

    func close() {
        Glibc.close(readFD)
        Glibc.close(writeFD)
    }
}
#endif
