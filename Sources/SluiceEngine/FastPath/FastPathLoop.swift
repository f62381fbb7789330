#if canImport(Glibc)
import CSluiceSyscalls
import Foundation
import Glibc
import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// One thread of the kernel fast path: Sluice's own small epoll loop over raw sockets.
///
/// It accepts on its own `SO_REUSEPORT` socket of every TCP listener (handing TLS, passthrough and PROXY-protocol
/// connections to NIO at once), routes the others, and proxies a connection whose route needs nothing beyond
/// admitting, moving bytes and logging (access and log plugins only, no TLS or PROXY header to the node, nodes
/// given as IP addresses) itself with `FastSession`, driven by the same `TCPSessionMachine` as the NIO path; every other connection is
/// handed to NIO (`NIOHandoff`) and goes through the NIO pipeline unchanged. Edge-triggered, one registration
/// per socket, no timers per connection (a sweep every `sweepInterval` handles connect and idle timeouts).
final class FastPathLoop: @unchecked Sendable {
    // Everything but `tasks` and `wakeFD` is touched on this loop's thread only.
    let context: EngineContext
    let handoff: NIOHandoff
    private let epfd: Int32
    private let wakeFD: Int32
    private let tasks = Mutex<[@Sendable () -> Void]>([])
    private var listeners: [UInt64: FastListener] = [:]
    private var sessions: [UInt64: FastSession] = [:]
    private var nextKey: UInt64 = 1
    private var again: [FastSession] = []
    /// Sessions whose access plugins asked for a delay (limit-conn's burst), with when to go on: few at a time.
    private var delayed: [(until: NIODeadline, session: FastSession)] = []
    private var running = true
    private var lastSweep = NIODeadline.now()
    /// Shared by every session of this loop: bytes pass through it on their way from one socket to the other.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)

    static let wakeKey: UInt64 = 1 << 62
    static let listenerFlag: UInt64 = 1 << 61
    static let sweepInterval = TimeAmount.milliseconds(100)

    init(context: EngineContext, handoff: NIOHandoff) throws {
        self.context = context
        self.handoff = handoff
        epfd = csluice_epoll_create()
        wakeFD = csluice_eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw IOError(errnoCode: errno, reason: "epoll/eventfd") }
        _ = csluice_epoll_add(epfd, wakeFD, CSLUICE_EPOLLIN, Self.wakeKey)
    }

    /// Starts the loop's thread.
    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Runs `task` on this loop's thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        tasks.withLock { $0.append(task) }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Stops the loop: listeners close; sessions still open are closed with `shutdown` (a drain ends them first).
    func stop() {
        execute { [self] in
            for key in Array(listeners.keys) { closeListener(key) }
            for session in Array(sessions.values) { session.close(.shutdown) }
            running = false
        }
    }

    // MARK: listeners

    /// Starts accepting on `fd` (a listening socket of `listener`'s address) on this loop.
    func addListener(fd: Int32, listener: ListenerRuntime, wildcard: Bool) {
        execute { [self] in
            let key = Self.listenerFlag | nextKey
            nextKey += 1
            listeners[key] = FastListener(fd: fd, runtime: listener, wildcard: wildcard,
                                          ip: IPAddress(listener.spec.host))
            _ = csluice_epoll_add(epfd, fd, CSLUICE_EPOLLIN, key)
        }
    }

    /// Stops accepting on every socket of `spec`; its open connections go on. `done` runs once the sockets are closed.
    func removeListener(_ spec: ListenerSpec, done: @escaping @Sendable () -> Void) {
        execute { [self] in
            for (key, listener) in listeners where listener.runtime.spec == spec { closeListener(key) }
            done()
        }
    }

    private func closeListener(_ key: UInt64) {
        guard let listener = listeners.removeValue(forKey: key) else { return }
        Glibc.close(listener.fd)
    }

    private func accept(_ key: UInt64) {
        guard var listener = listeners[key] else { return }
        for _ in 0..<Int(EngineTuning.acceptsPerRead) {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = csluice_accept(listener.fd, &storage, &length)
            if fd < 0 {
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    // Out of descriptors: stop watching this listener for a second instead of spinning on it.
                    _ = csluice_epoll_del(epfd, listener.fd)
                    listener.resumeAt = NIODeadline.now() + .seconds(1)
                    listeners[key] = listener
                    context.logger.warning("accept() failed: out of file descriptors; accepting again in 1 s",
                                           metadata: ["listener": "\(listener.runtime.name)", "errno": "\(errno)"])
                }
                return
            }
            guard FastPath.canProxy(on: listener.runtime.spec) else {
                handoff.adopt(fd, listener: listener.runtime)
                continue
            }
            let peer = RawSocket.endpoint(&storage)
            let local = listener.wildcard ? RawSocket.localAddress(fd) : (listener.ip, listener.runtime.spec.port)
            admit(fd, peer: peer, local: local, listener: listener.runtime)
        }
    }

    /// Routes a new connection: proxied here when its route only moves bytes, handed to NIO otherwise.
    private func admit(_ fd: Int32, peer: (ip: IPAddress?, port: Int), local: (ip: IPAddress?, port: Int),
                       listener: ListenerRuntime) {
        // Routing compares normalised addresses (an IPv4-mapped client matches IPv4 CIDRs), logs show them as
        // the socket gave them — as the NIO path does.
        var facts = ConnectionFacts(remoteAddress: peer.ip?.normalized, serverAddress: local.ip?.normalized,
                                    serverPort: local.port, sni: nil, transport: .tcp)
        facts.clientHost = peer.ip?.description ?? "-"
        facts.clientPort = peer.port
        facts.serverHost = local.ip?.description ?? "-"
        guard let route = context.routingTable?.router.match(facts), let upstream = route.upstream,
              FastPath.canProxy(route: route, upstream: upstream) else {
            handoff.adopt(fd, listener: listener)
            return
        }
        RawSocket.setNoDelay(fd)
        let key = nextKey << 8
        nextKey += 1
        let session = FastSession(loop: self, key: key, clientFD: fd, listener: listener, facts: facts, route: route,
                                  upstream: upstream)
        sessions[key] = session
        _ = csluice_epoll_add(epfd, fd, FastSession.interest, key)
        session.begin()
    }

    // MARK: sessions

    /// Watches a session's upstream socket under `key` (the session's key, the attempt and the upstream bit).
    func register(upstreamFD fd: Int32, key: UInt64) {
        _ = csluice_epoll_add(epfd, fd, FastSession.interest, key)
    }

    func ended(_ session: FastSession) { sessions[session.key] = nil }

    /// Asks `session`'s remaining access plugins again once `amount` has passed.
    func runAccess(of session: FastSession, after amount: TimeAmount) {
        delayed.append((NIODeadline.now().adding(saturating: amount), session))
    }

    private func endDelays(_ now: NIODeadline) {
        let due = delayed.filter { $0.until <= now }
        guard !due.isEmpty else { return }
        delayed.removeAll { $0.until <= now }
        for (_, session) in due { session.runAccess() }
    }

    /// How long `epoll_wait` may block: not at all with work left over, else until the next sweep or the end of
    /// the soonest delay.
    private func waitMilliseconds() -> Int32 {
        guard again.isEmpty else { return 0 }
        var wait = Self.sweepInterval
        if let soonest = delayed.lazy.map(\.until).min() { wait = min(wait, soonest - NIODeadline.now()) }
        return Int32(clamping: max(0, (wait.nanoseconds + 999_999) / 1_000_000))
    }

    /// `session` stopped reading before the socket was drained; continue after this round of events.
    func continueLater(_ session: FastSession) { again.append(session) }

    // MARK: the loop

    private func run() {
        var keys = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        while running {
            let n = csluice_epoll_wait(epfd, &keys, &events, 256, waitMilliseconds())
            if n > 0 {
                for i in 0..<Int(n) { dispatch(key: keys[i], events: events[i]) }
            }
            let pending = again
            again = []
            for session in pending { session.resume() }
            runTasks()
            let now = NIODeadline.now()
            if !delayed.isEmpty { endDelays(now) }
            if now - lastSweep >= Self.sweepInterval {
                lastSweep = now
                sweep(now)
            }
        }
        Glibc.close(epfd)
        Glibc.close(wakeFD)
        buffer.deallocate()
    }

    private func dispatch(key: UInt64, events: UInt32) {
        if key == Self.wakeKey {
            var value: UInt64 = 0
            _ = Glibc.read(wakeFD, &value, 8)
            return
        }
        if key & Self.listenerFlag != 0 {
            accept(key)
            return
        }
        sessions[key & ~0xFF]?.handle(events: events, upstreamKey: key & 1 == 1 ? key : nil)
    }

    private func runTasks() {
        let work = tasks.withLock { t in
            defer { t.removeAll() }
            return t
        }
        for task in work { task() }
    }

    /// Connect and idle timeouts; listeners resumed after an out-of-descriptors pause.
    private func sweep(_ now: NIODeadline) {
        for session in Array(sessions.values) { session.checkTimers(now) }
        for (key, listener) in listeners {
            guard let resumeAt = listener.resumeAt, now >= resumeAt else { continue }
            var resumed = listener
            resumed.resumeAt = nil
            listeners[key] = resumed
            _ = csluice_epoll_add(epfd, listener.fd, CSLUICE_EPOLLIN, key)
        }
    }
}

/// One listening socket of a fast-path loop.
struct FastListener {
    let fd: Int32
    let runtime: ListenerRuntime
    /// Bound to every address: the address a connection came to is asked of its socket.
    let wildcard: Bool
    /// The listener's own address, parsed once (a connection to a specific-address listener came to it).
    let ip: IPAddress?
    /// Set while accepting is paused (out of descriptors).
    var resumeAt: NIODeadline?
}
#endif
