import Atomics
import Foundation
import Synchronization

/// Why a proxied connection ended, as `$close_reason` shows it.
public enum CloseReason: String, Sendable {
    case clientClosed = "client_closed"
    case upstreamClosed = "upstream_closed"
    case idleTimeout = "idle_timeout"
    case connectFailed = "connect_failed"
    case upstreamTLSFailed = "upstream_tls_failed"
    /// A UDP session got the replies its listener's `proxy_responses` expects.
    case responsesReceived = "responses_received"
    case noRoute = "no_route"
    case killed
    case shutdown
    case error
}

/// One live connection as readers see it; the event loop that owns it updates it.
public final class ConnectionRecord: Sendable {
    /// What the connection is doing.
    public enum State: String, Sendable {
        case connecting
        case proxying
        case closing
    }

    public let id: UInt64
    public let client: String
    public let listener: String
    public let routeID: String
    public let upstreamKey: String
    /// `tcp` or `udp` (a UDP session counts as one connection).
    public let transport: String
    public let startedAt: Date
    let bytesIn = ManagedAtomic<UInt64>(0)
    let bytesOut = ManagedAtomic<UInt64>(0)
    private let mutable = Mutex<(node: String?, state: State)>((nil, .connecting))
    private let closer: Mutex<(@Sendable (CloseReason) -> Void)?> = Mutex(nil)

    init(id: UInt64, client: String, listener: String, routeID: String, upstreamKey: String, transport: String = "tcp") {
        self.id = id
        self.transport = transport
        self.client = client
        self.listener = listener
        self.routeID = routeID
        self.upstreamKey = upstreamKey
        self.startedAt = Date()
    }

    func update(node: String? = nil, state: State) {
        mutable.withLock {
            if let node { $0.node = node }
            $0.state = state
        }
    }

    /// Sets (or with nil, drops) what closes the connection; the session drops it when it ends, since the
    /// closure holds the session.
    func setCloser(_ closer: (@Sendable (CloseReason) -> Void)?) { self.closer.withLock { $0 = closer } }

    /// Asks the owning event loop to close the connection.
    func close(_ reason: CloseReason) { closer.withLock { $0 }?(reason) }

    /// A copy for the console and tests.
    public var info: ConnectionInfo {
        let m = mutable.withLock { $0 }
        return ConnectionInfo(id: id, client: client, listener: listener, routeID: routeID, upstreamKey: upstreamKey,
                              transport: transport, node: m.node, state: m.state, startedAt: startedAt,
                              bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed))
    }
}

/// A live connection at one moment.
public struct ConnectionInfo: Sendable, Equatable {
    public var id: UInt64
    public var client: String
    public var listener: String
    public var routeID: String
    public var upstreamKey: String
    /// `tcp` or `udp`.
    public var transport: String = "tcp"
    public var node: String?
    public var state: ConnectionRecord.State
    public var startedAt: Date
    /// From the client.
    public var bytesIn: UInt64
    /// To the client.
    public var bytesOut: UInt64
}
