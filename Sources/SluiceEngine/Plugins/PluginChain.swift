import NIOCore

/// A route's plugins, compiled once per configuration snapshot: one list per phase, each in APISIX priority order
/// (higher first; equal priorities keep the order written). The empty chain — a route without plugins — is what
/// almost every route has, and costs nothing per connection.
struct PluginChain: Sendable {
    static let empty = PluginChain([])

    let prereaders: [any StreamPlugin]
    let accessors: [any StreamPlugin]
    let balancers: [any StreamPlugin]
    let transferers: [any StreamPlugin]
    let loggers: [any StreamPlugin]

    init(_ plugins: [any StreamPlugin]) {
        let ordered = plugins.enumerated()
            .sorted { $0.element.priority != $1.element.priority ? $0.element.priority > $1.element.priority
                                                                  : $0.offset < $1.offset }
            .map(\.element)
        prereaders = ordered.filter { $0.phases.contains(.preread) }
        accessors = ordered.filter { $0.phases.contains(.access) }
        balancers = ordered.filter { $0.phases.contains(.balance) }
        transferers = ordered.filter { $0.phases.contains(.transfer) }
        loggers = ordered.filter { $0.phases.contains(.log) }
    }

    /// The route's `prometheus` plugin, for the exporter (read at scrape time, never per session).
    var prometheus: PrometheusPlugin? { loggers.lazy.compactMap { $0 as? PrometheusPlugin }.first }

    var isEmpty: Bool { prereaders.isEmpty && accessors.isEmpty && balancers.isEmpty && transferers.isEmpty
        && loggers.isEmpty }

    /// What the session machine must run for this route.
    var phases: TCPSessionMachine.RoutedPhases {
        TCPSessionMachine.RoutedPhases(preread: !prereaders.isEmpty, access: !accessors.isEmpty)
    }

    /// Whether the kernel fast path can run this chain: access and log plugins only (a preread needs the held
    /// bytes, a balance plugin may choose an upstream the fast path cannot reach, pacing needs NIO's reads).
    var runsOnFastPath: Bool { prereaders.isEmpty && balancers.isEmpty && transferers.isEmpty }

    /// Runs the access plugins from `index` on, advancing it past each one asked.
    /// - Returns: `.allow` once all let the session through, else the first refusal, or a delay (call again when
    ///   it has passed: the following plugins run then).
    func access(from index: inout Int, session: inout PluginSession) -> AccessVerdict {
        while index < accessors.count {
            let verdict = accessors[index].access(&session)
            index += 1
            if verdict != .allow { return verdict }
        }
        return .allow
    }

    /// The log plugins, once the session ended, with the record the access log shows.
    func log(_ record: AccessLogRecord, session: PluginSession?) {
        guard let session else { return }
        for plugin in loggers { plugin.log(record, session: session) }
    }

    /// Runs every preread plugin not yet satisfied over `bytes`; `satisfied` counts those done, in order.
    /// - Returns: `.done` when all are, `.needMoreData` while one waits, or the first refusal.
    func preread(_ bytes: ByteBufferView, session: inout PluginSession, satisfied: inout Int) -> PrereadVerdict {
        while satisfied < prereaders.count {
            switch prereaders[satisfied].preread(bytes, session: &session) {
            case .done: satisfied += 1
            case .needMoreData: return .needMoreData
            case .refuse(let reason, let why): return .refuse(reason, why: why)
            }
        }
        return .done
    }

    /// The throttles of a session joined now: the first transfer plugin's (a route runs one limit-bandwidth); a
    /// route without one does not even read the clock.
    func throttles() -> SessionThrottles {
        guard let plugin = transferers.first else { return .none }
        return plugin.throttles(now: NIODeadline.now().uptimeNanoseconds)
    }

    /// Why the preread ended unfinished, as the plugin still waiting (the one after the `satisfied` ones) puts it.
    func prereadUnfinished(_ bytes: ByteBufferView, satisfied: Int,
                           timedOut: Bool) -> (reason: CloseReason, why: String)? {
        satisfied < prereaders.count ? prereaders[satisfied].prereadUnfinished(bytes, timedOut: timedOut) : nil
    }

    /// The balance plugins' combined choice: the last upstream and the last key chosen win.
    func balance(_ session: PluginSession) -> (upstream: UpstreamRuntime?, hashKey: String?) {
        var upstream: UpstreamRuntime?
        var key: String?
        for plugin in balancers {
            switch plugin.balance(session) {
            case .keep: break
            case .upstream(let u): upstream = u
            case .hashKey(let k): key = k
            }
        }
        return (upstream, key)
    }
}
