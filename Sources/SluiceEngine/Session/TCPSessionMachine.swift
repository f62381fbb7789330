/// The lifecycle of one proxied TCP connection, as a value: every event goes in, the action to perform comes out.
/// No NIO inside (swift-nio's own `enum State` machines are the model), so every event can be tested in every state.
///
/// ```
/// prereading(steps) → routing → pluginPreread → admitting → connecting(attempt) → proxying → halfClosed(side)
///                                                                                        ↘ closing → closed
/// ```
/// Any state before `proxying` may end in a refusal (`no_route`, `bad_client_hello`, `ip_restricted` …): the client
/// is closed and no byte goes anywhere. The first reason given is the one logged; `finish` is returned exactly once.
struct TCPSessionMachine: Sendable {
    /// The two channels of a proxied connection.
    enum Side: Sendable, Equatable {
        case client, upstream

        var other: Side { self == .client ? .upstream : .client }
        /// How the session ends when this side's peer goes away first.
        var closedReason: CloseReason { self == .client ? .clientClosed : .upstreamClosed }
    }

    /// What a listener must learn before a connection can be routed.
    enum PrereadStep: Sendable, Hashable {
        /// `proxy_protocol: true`: the PROXY v1/v2 header.
        case proxyHeader
        /// `tls: true`: the TLS handshake (the certificate is chosen by SNI).
        case tlsHandshake
        /// `tls_passthrough: true`: the ClientHello's server name, bytes forwarded untouched.
        case clientHello

        /// How a connection ends when its client leaves while this step is pending.
        var abortReason: CloseReason {
            switch self {
            case .proxyHeader: .badProxyHeader
            case .clientHello: .badClientHello
            case .tlsHandshake: .prereadAborted
            }
        }
    }

    enum State: Sendable, Equatable {
        /// Accepted; waiting for the listener's prereads.
        case prereading(Set<PrereadStep>)
        /// Everything routing needs is known; the executor matches a route.
        case routing
        /// Routed; the route's preread plugins inspect the held first bytes.
        case pluginPreread
        /// Routed; the access phase runs (and may delay).
        case admitting
        /// Connecting to a node: attempt `attempt` of at most `maxAttempts`.
        case connecting(attempt: Int)
        /// Joined: bytes flow both ways.
        case proxying
        /// `side`'s input ended; the other direction goes on.
        case halfClosed(Side)
        /// The channels are being closed.
        case closing
        /// Both channels closed; the session was logged and settled.
        case closed
    }

    enum Action: Sendable, Equatable {
        case none
        /// Match a route with the facts now known, then feed `routed` or `refused`.
        case route
        /// Run the route's preread plugins over the held bytes (again on each read), then feed
        /// `pluginPrereadFinished` or `refused`.
        case runPluginPreread
        /// Run the route's access plugins, then feed `admitted` or `refused`.
        case runAccess
        /// Pick a node (skipping tried ones) and connect; feed `connected` or `connectFailed`.
        case connect(attempt: Int)
        /// Glue the client to the connected upstream and release the held bytes; when `halfCloseUpstream`, the
        /// client had already ended its input: pass that on after the held bytes.
        case join(halfCloseUpstream: Bool)
        /// A connect that succeeded after the session ended: close that channel.
        case discardUpstream
        /// End the output towards `side` (a half-close passed on).
        case halfClose(Side)
        /// Close the client without sending anything.
        case refuse(CloseReason)
        /// Close both channels (whichever exist) at once: an abort (kill, timeout, error, refusal).
        case closeBoth
        /// Both directions ended normally: close each channel once what is queued towards it has been written.
        case closeAfterFlush
        /// Log and settle the counters; returned once.
        case finish
    }

    /// What the route asks of the plugin phases.
    struct RoutedPhases: Sendable, Equatable {
        var preread = false
        var access = false
    }

    private(set) var state: State
    /// The first reason given; what `$close_reason` shows.
    private(set) var reason: CloseReason?
    /// At most this many connects (`retries + 1`, bounded by the nodes); set when routed.
    private(set) var maxAttempts = 1
    private var phases = RoutedPhases()
    private var clientOpen = true
    private var upstreamOpen = false
    /// The client ended its input before the upstream was joined.
    private var clientInputEndedEarly = false
    /// Both directions ended normally: each channel closes on its own once its queued writes are out.
    private var closingGracefully = false

    init(prereads: Set<PrereadStep>) {
        state = .prereading(prereads)
    }

    /// `$status`: from the reason (200 while none).
    var status: Int { reason?.status ?? 200 }

    /// True once the upstream is (or was) joined.
    var isJoined: Bool {
        switch state {
        case .proxying, .halfClosed: true
        default: false
        }
    }

    private mutating func setReason(_ why: CloseReason) {
        if reason == nil { reason = why }
    }

    // MARK: before routing

    /// The connection is active: routes at once when the listener needs no preread.
    mutating func accepted() -> Action {
        guard case .prereading(let pending) = state, pending.isEmpty else { return .none }
        state = .routing
        return .route
    }

    /// One listener preread finished.
    mutating func prereadFinished(_ step: PrereadStep) -> Action {
        guard case .prereading(var pending) = state else { return .none }
        pending.remove(step)
        state = .prereading(pending)
        return accepted()
    }

    /// A route matched; `maxAttempts` connects at most.
    mutating func routed(maxAttempts: Int, phases: RoutedPhases) -> Action {
        guard state == .routing else { return .none }
        self.maxAttempts = max(1, maxAttempts)
        self.phases = phases
        if phases.preread {
            state = .pluginPreread
            return .runPluginPreread
        }
        return afterPreread()
    }

    /// A balance plugin chose another upstream than the route's before the first connect: its nodes bound the
    /// attempts.
    mutating func upstreamChosen(maxAttempts: Int) {
        if state == .connecting(attempt: 1) { self.maxAttempts = max(1, maxAttempts) }
    }

    /// The preread plugins have what they need.
    mutating func pluginPrereadFinished() -> Action {
        guard state == .pluginPreread else { return .none }
        return afterPreread()
    }

    private mutating func afterPreread() -> Action {
        if phases.access {
            state = .admitting
            return .runAccess
        }
        return admitted()
    }

    /// Every access plugin let the session through (after any delay).
    mutating func admitted() -> Action {
        switch state {
        case .routing, .pluginPreread, .admitting:
            state = .connecting(attempt: 1)
            return .connect(attempt: 1)
        default:
            return .none
        }
    }

    /// Routing, a preread or an access plugin said no: the client is closed, nothing sent.
    mutating func refused(_ why: CloseReason) -> Action {
        switch state {
        case .prereading, .routing, .pluginPreread, .admitting:
            setReason(why)
            state = .closing
            return .refuse(why)
        default:
            return .none
        }
    }

    // MARK: connecting

    /// The attempt failed; `retryAllowed` is false when no untried node is left or `retry_timeout` passed.
    mutating func connectFailed(retryAllowed: Bool) -> Action {
        guard case .connecting(let attempt) = state else { return .none }
        if retryAllowed && attempt < maxAttempts {
            state = .connecting(attempt: attempt + 1)
            return .connect(attempt: attempt + 1)
        }
        setReason(.connectFailed)
        state = .closing
        return .closeBoth
    }

    /// The upstream channel is connected.
    mutating func connected() -> Action {
        guard case .connecting = state else { return .discardUpstream }
        upstreamOpen = true
        if clientInputEndedEarly {
            setReason(.clientClosed)
            state = .halfClosed(.client)
            return .join(halfCloseUpstream: true)
        }
        state = .proxying
        return .join(halfCloseUpstream: false)
    }

    /// The glue could not be added (an internal failure).
    mutating func joinFailed() -> Action {
        setReason(.error)
        state = .closing
        return .closeBoth
    }

    // MARK: traffic and endings

    /// `side` sent FIN.
    mutating func inputClosed(_ side: Side) -> Action {
        switch state {
        case .prereading(let pending):
            // Nothing to route on will come: release the socket now, not at the preread timeout.
            let why = pending.contains(.clientHello) ? PrereadStep.clientHello.abortReason
                : pending.contains(.proxyHeader) ? PrereadStep.proxyHeader.abortReason : .prereadAborted
            return refused(why)
        case .pluginPreread:
            return refused(.prereadAborted)
        case .routing, .admitting, .connecting:
            // The client may send a request and half-close before the upstream answers: pass it on once joined.
            if side == .client { clientInputEndedEarly = true }
            return .none
        case .proxying:
            setReason(side.closedReason)
            state = .halfClosed(side)
            return .halfClose(side.other)
        case .halfClosed(let closed) where closed != side:
            state = .closing
            closingGracefully = true
            return .closeAfterFlush
        case .halfClosed, .closing, .closed:
            return .none
        }
    }

    /// `side`'s peer went away (reset, error, close) — before the partner is closed in turn, so the reason names the
    /// side that ended first.
    mutating func peerGone(_ side: Side) {
        if state != .closed { setReason(side.closedReason) }
    }

    /// The upstream TLS handshake failed.
    mutating func upstreamTLSFailed() {
        if state != .closed { setReason(.upstreamTLSFailed) }
    }

    /// No byte either way for the idle timeout.
    mutating func idleTimedOut() -> Action { close(.idleTimeout) }

    /// An operator's kill, the end of a drain.
    mutating func close(_ why: CloseReason) -> Action {
        switch state {
        case .closing, .closed:
            return .none
        case .prereading, .routing, .pluginPreread, .admitting:
            return refused(why)
        case .connecting, .proxying, .halfClosed:
            setReason(why)
            state = .closing
            return .closeBoth
        }
    }

    /// A channel closed (its close future completed), whatever closed it.
    mutating func channelClosed(_ side: Side) -> Action {
        switch side {
        case .client: clientOpen = false
        case .upstream: upstreamOpen = false
        }
        guard state != .closed else { return .none }
        setReason(side.closedReason)
        if !clientOpen && !upstreamOpen {
            state = .closed
            return .finish
        }
        if closingGracefully { return .none }
        switch state {
        case .proxying, .halfClosed:
            // The peer went away (its FIN and close may come as one event, or it reset): what was already read
            // from it still goes out to the other side, then that channel closes — nginx's behaviour.
            state = .closing
            closingGracefully = true
            return .closeAfterFlush
        default:
            state = .closing
            return .closeBoth
        }
    }
}
