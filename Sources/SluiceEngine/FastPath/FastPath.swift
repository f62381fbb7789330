#if canImport(Glibc)
import Foundation
import Glibc
import NIOCore
import SluiceConfig

/// The kernel fast path: one `FastPathLoop` thread per core, each with its own `SO_REUSEPORT` socket of every TCP
/// listener. Connections on a plain listener (no TLS, passthrough or PROXY protocol) whose route only moves bytes
/// are proxied there on raw sockets — about the system calls nginx makes — and the others are handed to NIO.
/// `SLUICE_FAST_PATH=off` in the environment sends every connection through NIO (tests compare both paths).
final class FastPath: Sendable {
    private let loops: [FastPathLoop]

    /// False when `SLUICE_FAST_PATH=off`.
    static var enabled: Bool { ProcessInfo.processInfo.environment["SLUICE_FAST_PATH"] != "off" }

    /// Every TCP listener accepts here — its loops back off when the process is out of descriptors, which NIO's
    /// accept cannot (on `EMFILE` its server channel stays registered for reads, so `AcceptBackoffHandler` alone
    /// still spins).
    static func canListen(_ spec: ListenerSpec) -> Bool { spec.transport == .tcp }

    /// Listeners whose connections are proxied here when their route allows: no TLS, passthrough or PROXY
    /// protocol (those prereads are NIO's, so their connections are handed over at once).
    static func canProxy(on spec: ListenerSpec) -> Bool { !spec.tls && !spec.tlsPassthrough && !spec.proxyProtocol }

    /// Routes the fast path proxies itself: access and log plugins only (ip-restriction, limit-conn, prometheus,
    /// syslog), no TLS or PROXY header towards the node, nodes given as IP addresses.
    static func canProxy(route: CompiledRoute, upstream: UpstreamRuntime) -> Bool {
        route.plugins.runsOnFastPath && !upstream.wantsTLS && upstream.upstream.sendProxyProtocol == nil
            && !upstream.nodeAddresses.contains { $0 == nil }
    }

    init(threads: Int, context: EngineContext, handoff: NIOHandoff) throws {
        loops = try (0..<max(1, threads)).map { _ in try FastPathLoop(context: context, handoff: handoff) }
        for (i, loop) in loops.enumerated() { loop.start(name: "sluice-fast-\(i)") }
    }

    /// Binds `spec` on every loop (port 0: the first bind chooses, the others share it).
    /// - Returns: the bound port.
    func bind(_ listener: ListenerRuntime) throws -> Int {
        let spec = listener.spec
        var port = spec.port
        if port != 0 { try ExclusivePortProbe.check(host: spec.host, port: port) }
        var fds: [Int32] = []
        do {
            for _ in loops {
                let fd = try RawSocket.listen(host: spec.host, port: port, backlog: EngineTuning.backlog)
                fds.append(fd)
                if port == 0 { port = RawSocket.localPort(fd) }
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        let wildcard = spec.host == "0.0.0.0" || spec.host == "::" || spec.host == "*"
        for (loop, fd) in zip(loops, fds) { loop.addListener(fd: fd, listener: listener, wildcard: wildcard) }
        return port
    }

    /// Stops accepting on `spec`; returns once every loop closed its socket.
    func unbind(_ spec: ListenerSpec) {
        let done = DispatchSemaphore(value: 0)
        for loop in loops { loop.removeListener(spec) { done.signal() } }
        for _ in loops { done.wait() }
    }

    func stop() { for loop in loops { loop.stop() } }
}

/// Hands a connection the fast path does not proxy to NIO, which runs the full pipeline on it.
struct NIOHandoff: Sendable {
    let group: EventLoopGroup
    let context: EngineContext

    func adopt(_ fd: Int32, listener: ListenerRuntime) {
        let context = self.context
        TCPListener.clientBootstrap(group: group.next(), listener: listener, context: context)
            .withConnectedSocket(fd)
            .whenFailure { error in
                context.logger.error("Cannot hand a connection to NIO", metadata: ["error": "\(error)"])
            }
    }
}
#endif
