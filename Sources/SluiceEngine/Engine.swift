import Foundation
import Logging
import NIOCore
import NIOPosix
import SluiceConfig
import Synchronization

/// The data plane: listeners, routing, proxying, counters and the access log, on the event loops of `group`.
///
/// It follows the `Store`: each published snapshot is compiled into a new routing table for new connections,
/// while open connections keep the route and node they started with.
package final class Engine: Sendable {
    private let group: EventLoopGroup
    private let context: EngineContext
    private let listeners = Mutex<[ListenerSpec: [Channel]]>([:])
    /// Plain TCP listeners served by the kernel fast path, with the port each is bound to.
    private let fastListeners = Mutex<[ListenerSpec: Int]>([:])
    private let fastPath: FastPath?
    private let settingsBox: Mutex<NodeSettings>
    private let trimmer: MemoryTrimmer

    /// - Parameters:
    ///   - group: the event loops (one per core).
    ///   - store: the configuration to follow; the engine subscribes to it.
    package init(group: EventLoopGroup, store: Store, settings: NodeSettings, logger: Logger) {
        self.group = group
        let context = EngineContext(logger: logger, group: group)
        self.context = context
        context.names.configure(settings.dns)
        self.settingsBox = Mutex(settings)
        trimmer = MemoryTrimmer()
        var fastPath: FastPath?
        if FastPath.enabled {
            do {
                fastPath = try FastPath(threads: System.coreCount, context: context,
                                        handoff: NIOHandoff(group: group, context: context))
            } catch {
                logger.error("Kernel fast path unavailable; every connection goes through NIO",
                             metadata: ["error": "\(error)"])
            }
        }
        self.fastPath = fastPath
        store.subscribe { snapshot in
            context.publish(snapshot)
            logger.info("Configuration applied", metadata: [
                "config.revision": "\(snapshot.revision)", "stream_routes": "\(snapshot.config.streamRoutes.count)",
            ])
        }
    }

    /// Swaps the routing table new connections use (tests: routes with plugins the configuration cannot name yet).
    func replaceRoutingTable(_ transform: (RoutingTable?) -> RoutingTable?) { context.replaceRoutingTable(transform) }

    /// The live connections.
    package var registry: ConnectionRegistry { context.registry }

    /// Opens the access log and binds every listener of the settings.
    /// - Throws: the first bind or access-log error; listeners bound before it stay open (call `stopAccepting`).
    package func start() throws {
        let settings = settingsBox.withLock { $0 }
        context.trustedProxies = settings.realIPFrom
        try openAccessLogs(settings)
        try bind(settings.listeners)
    }

    /// Applies new node settings (SIGHUP): listeners added are bound, listeners removed are closed without
    /// touching other listeners' connections (nor the removed listener's open connections).
    /// - Throws: the first error; the other changes are still made.
    package func apply(settings: NodeSettings) throws {
        let old = settingsBox.withLock { s in
            defer { s = settings }
            return s
        }
        var firstError: Error?
        context.trustedProxies = settings.realIPFrom
        context.names.configure(settings.dns)
        do { try openAccessLogs(settings) } catch { firstError = error }
        let removed = Set(old.listeners).subtracting(settings.listeners)
        let added = settings.listeners.filter { !old.listeners.contains($0) }
        for spec in removed {
            if fastListeners.withLock({ $0.removeValue(forKey: spec) }) != nil {
                fastPath?.unbind(spec)
                context.logger.info("Listener closed", metadata: ["listener": "\(spec)"])
            }
            if let channels = listeners.withLock({ $0.removeValue(forKey: spec) }) {
                for channel in channels { channel.close(promise: nil) }
                context.logger.info("Listener closed", metadata: ["listener": "\(spec)"])
            }
        }
        do { try bind(added) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    /// Reopens the access logs at their paths, the listeners' own too (logrotate's SIGUSR1): lines written before
    /// end the old files.
    package func reopenAccessLog() { for writer in context.accessLogs.writers { writer.reopen() } }

    /// Opens the main and the listeners' access logs (files already open are reopened), then flushes the files
    /// no longer used. On an error the logs in use stay as they were.
    private func openAccessLogs(_ settings: NodeSettings) throws {
        let previous = context.accessLogs
        let logs = try AccessLogs.open(settings, previous: previous)
        context.accessLogs = logs
        let kept = Set(logs.writers.map(\.path))
        for writer in previous.writers where !kept.contains(writer.path) { writer.flush() }
    }

    private func bind(_ specs: [ListenerSpec]) throws {
        let sessionLimit = settingsBox.withLock { $0.udpSessionLimit }
        for spec in specs {
            do {
                if let fastPath, FastPath.canListen(spec) {
                    let port = try fastPath.bind(ListenerRuntime(spec: spec, counters: context.counters))
                    fastListeners.withLock { $0[spec] = port }
                    context.logger.info("Listening", metadata: ["listener": "\(spec)", "path": "fast"])
                    continue
                }
                let channels = try spec.transport == .tcp
                    ? TCPListener.bind(spec, group: group, context: context)
                    : [UDPListener.bind(spec, group: group, context: context, sessionLimit: sessionLimit).wait()]
                listeners.withLock { $0[spec] = channels }
                context.logger.info("Listening", metadata: ["listener": "\(spec)"])
            } catch {
                throw EngineError.bindFailed(spec, "\(error)")
            }
        }
    }

    /// The addresses the listeners are bound to (port 0 in the settings becomes the port the system chose).
    package var boundAddresses: [ListenerSpec: SocketAddress] {
        var addresses = listeners.withLock { $0.compactMapValues { $0.first?.localAddress } }
        for (spec, port) in fastListeners.withLock({ $0 }) {
            addresses[spec] = try? SocketAddress.makeAddressResolvingHost(spec.host, port: port)
        }
        return addresses
    }

    /// Stops accepting: every listener is closed; open connections go on.
    package func stopAccepting() {
        let channels = listeners.withLock { l in
            defer { l.removeAll() }
            return l.values.flatMap { $0 }
        }
        for channel in channels { try? channel.close().wait() }
        let fast = fastListeners.withLock { l in
            defer { l.removeAll() }
            return Array(l.keys)
        }
        for spec in fast { fastPath?.unbind(spec) }
    }

    deinit {
        trimmer.stop()
        fastPath?.stop()
    }

    /// Waits up to `timeout` seconds for open connections to end, then closes the rest (`shutdown`).
    /// - Parameter progress: called on the calling thread while it waits, with the connections still open and the
    ///   seconds left before they are closed (the console draws them).
    /// - Returns: how many connections had to be closed.
    @discardableResult
    package func drain(timeout: Double, progress: (_ open: Int, _ secondsLeft: Double) -> Void = { _, _ in }) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while context.registry.count > 0 && Date() < deadline {
            progress(context.registry.count, deadline.timeIntervalSinceNow)
            usleep(20_000)
        }
        let left = context.registry.count
        if left > 0 {
            context.registry.closeAll(reason: .shutdown)
            let hardDeadline = Date().addingTimeInterval(2)
            while context.registry.count > 0 && Date() < hardDeadline { usleep(10_000) }
        }
        context.health.stopAll() // health: issue 11 (no probes once the gateway is going down)
        context.routingTable?.pluginCompiler.flushSenders(timeout: 2)
        for writer in context.accessLogs.writers { writer.flush() }
        return left
    }

    /// A copy of the counters and live connections.
    package func snapshot() -> EngineSnapshot {
        // Shared counters hold closed connections' bytes; add the bytes of the connections still open (both read at
        // one instant, so a connection ending meanwhile is counted once).
        let (connections, totals) = context.registry.listWithTotals(context.counters)
        var values = totals
        for c in connections {
            var names = ["listener:\(c.listener)", "route:\(c.routeID)", c.upstreamKey]
            if let node = c.node { names.append("\(c.upstreamKey)|\(node)") }
            for name in names {
                values[name]?.bytesIn += c.bytesIn
                values[name]?.bytesOut += c.bytesOut
            }
            if c.node != nil {
                values["listener:\(c.listener)"]?.upstreamBytesSent += c.bytesIn
                values["listener:\(c.listener)"]?.upstreamBytesReceived += c.bytesOut
            }
        }
        let zero = TrafficValues(total: 0, active: 0, bytesIn: 0, bytesOut: 0, connectFailures: 0, noRoute: 0)
        let table = context.routingTable
        let specs = settingsBox.withLock { $0.listeners }
        let routes = (table?.router.routes ?? []).map {
            EngineSnapshot.Route(id: $0.route.id, name: $0.route.name, upstreamKey: $0.upstream?.key,
                                 traffic: values["route:\($0.route.id)"] ?? zero,
                                 prometheus: $0.plugins.prometheus?.values)
        }
        let upstreams = context.health.snapshot(values)
        return EngineSnapshot(takenAt: Date(), configRevision: table?.revision ?? 0,
                              listeners: specs.map { .init(spec: $0, traffic: values["listener:\($0)"] ?? zero) },
                              routes: routes, upstreams: upstreams, connections: connections,
                              syslogSinks: (table?.pluginCompiler.senders.values.map(\.info) ?? [])
                                  .sorted { ($0.target, $0.name) < ($1.target, $1.name) })
    }
}

/// Why the engine could not do what it was asked.
package enum EngineError: Error, CustomStringConvertible {
    case bindFailed(ListenerSpec, String)
    case upstreamTLS(String)

    package var description: String {
        switch self {
        case .bindFailed(let spec, let why): "cannot listen on \(spec): \(why)"
        case .upstreamTLS(let why): "upstream TLS settings not usable: \(why)"
        }
    }
}
