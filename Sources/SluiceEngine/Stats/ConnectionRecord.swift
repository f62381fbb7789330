import Foundation
import NIOCore
import SluiceConfig
import Synchronization

/// What the registry asks of the event loop that owns a connection.
package enum ConnectionRequest: Sendable {
    /// End it; the access log records the reason.
    case close(CloseReason)
    /// Read the upstream socket's local address now and keep it in the record (the kernel fast path and UDP do not
    /// read it at connect, since that costs a syscall per connection: only when someone inspects).
    case readUpstreamLocalAddress
}

/// One live connection as readers see it; the event loop that owns it updates it.
package final class ConnectionRecord: Sendable {
    /// What the connection is doing.
    package enum State: String, Sendable {
        case connecting
        case proxying
        case closing
    }

    /// What the owning loop learns while connecting; set under one lock with the node (never per byte).
    private struct Learned: Sendable {
        var upstreamKey: String
        var node: String?
        var state: State
        /// Nodes whose connect failed, in order (stays empty, with no allocation, when the first connect works).
        var failedNodes: [String] = []
        var upstreamLocal: SocketAddress?
        var connectSeconds: Double?
    }

    package let id: UInt64
    private let clientHost: String
    private let clientPort: Int
    package let listener: String
    package let routeID: String
    /// `tcp` or `udp` (a UDP session counts as one connection).
    package let transport: String
    package let startedAt: Date
    let bytesIn = Atomic<UInt64>(0)
    let bytesOut = Atomic<UInt64>(0)
    /// `NIODeadline.uptimeNanoseconds` of the last bytes moved either way (0: none yet); one relaxed store per read.
    let lastActivity = Atomic<UInt64>(0)
    private let learned: Mutex<Learned>
    private let owner: Mutex<(@Sendable (ConnectionRequest) -> Void)?> = Mutex(nil)

    /// The client's address is kept as parts and formatted only when a reader asks (`info`), not per connection.
    init(id: UInt64, clientHost: String, clientPort: Int, listener: String, routeID: String, upstreamKey: String,
         transport: String = "tcp", startedAt: Date = Date()) {
        self.id = id
        self.transport = transport
        self.clientHost = clientHost
        self.clientPort = clientPort
        self.listener = listener
        self.routeID = routeID
        self.learned = Mutex(Learned(upstreamKey: upstreamKey, state: .connecting))
        self.startedAt = startedAt
    }

    /// `host:port` of the client.
    package var client: String { HostPort(host: clientHost, port: clientPort).description }

    func update(state: State) { learned.withLock { $0.state = state } }

    /// The node the connection uses, and what connecting to it showed (the local address when it came free).
    func connected(node: String, state: State, upstreamLocal: SocketAddress? = nil, connectSeconds: Double? = nil) {
        learned.withLock {
            $0.node = node
            $0.state = state
            $0.upstreamLocal = upstreamLocal
            $0.connectSeconds = connectSeconds
        }
    }

    /// A connect to `node` failed (the next attempt, if any, tries another).
    func connectFailed(node: String) { learned.withLock { $0.failedNodes.append(node) } }

    /// The upstream socket's local address, read on the owning loop after a `readUpstreamLocalAddress` request.
    func update(upstreamLocal: SocketAddress) { learned.withLock { $0.upstreamLocal = upstreamLocal } }

    /// A balance plugin (traffic-split) sent the session to another upstream than its route's.
    func update(upstreamKey: String) { learned.withLock { $0.upstreamKey = upstreamKey } }

    /// Sets (or with nil, drops) what carries the registry's requests to the owning loop; the session drops it when
    /// it ends, since the closure holds the session.
    func setOwner(_ owner: (@Sendable (ConnectionRequest) -> Void)?) { self.owner.withLock { $0 = owner } }

    /// Asks the owning event loop to do something with the connection (close it, read a fact).
    func ask(_ request: ConnectionRequest) { owner.withLock { $0 }?(request) }

    /// A copy for the console and tests; formats the addresses (only readers pay for that).
    package var info: ConnectionInfo {
        let m = learned.withLock { $0 }
        let last = lastActivity.load(ordering: .relaxed)
        let now = NIODeadline.now().uptimeNanoseconds
        let idle = last == 0 ? nil : Double(now &- min(last, now)) / 1e9
        return ConnectionInfo(id: id, client: client, listener: listener, routeID: routeID, upstreamKey: m.upstreamKey,
                              transport: transport, node: m.node, state: m.state, startedAt: startedAt,
                              bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed),
                              upstreamLocal: m.upstreamLocal?.hostPortText, connectSeconds: m.connectSeconds,
                              nodesTried: m.failedNodes + (m.node.map { [$0] } ?? []),
                              lastActivity: idle.map { Date().addingTimeInterval(-$0) })
    }
}

/// A live connection at one moment (HAProxy's `show sess` facts).
package struct ConnectionInfo: Sendable, Equatable {
    package var id: UInt64
    package var client: String
    package var listener: String
    package var routeID: String
    package var upstreamKey: String
    /// `tcp` or `udp`.
    package var transport: String = "tcp"
    package var node: String?
    package var state: ConnectionRecord.State
    package var startedAt: Date
    /// From the client.
    package var bytesIn: UInt64
    /// To the client.
    package var bytesOut: UInt64
    /// `host:port` of the upstream socket's own end; nil until read (see `ConnectionRequest.readUpstreamLocalAddress`).
    package var upstreamLocal: String?
    /// How long the connect to the node took.
    package var connectSeconds: Double?
    /// Every node tried, in order: those whose connect failed, then the one in use.
    package var nodesTried: [String] = []
    /// When bytes last moved either way; nil: none yet (idle since `startedAt`).
    package var lastActivity: Date?
}
