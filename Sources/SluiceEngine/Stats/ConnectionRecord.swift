import Foundation
import SluiceConfig
import Synchronization

/// One live connection as readers see it; the event loop that owns it updates it.
package final class ConnectionRecord: Sendable {
    /// What the connection is doing.
    package enum State: String, Sendable {
        case connecting
        case proxying
        case closing
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
    private let mutable: Mutex<(upstreamKey: String, node: String?, state: State)>
    private let closer: Mutex<(@Sendable (CloseReason) -> Void)?> = Mutex(nil)

    /// The client's address is kept as parts and formatted only when a reader asks (`info`), not per connection.
    init(id: UInt64, clientHost: String, clientPort: Int, listener: String, routeID: String, upstreamKey: String,
         transport: String = "tcp", startedAt: Date = Date()) {
        self.id = id
        self.transport = transport
        self.clientHost = clientHost
        self.clientPort = clientPort
        self.listener = listener
        self.routeID = routeID
        self.mutable = Mutex((upstreamKey, nil, .connecting))
        self.startedAt = startedAt
    }

    /// `host:port` of the client.
    package var client: String { HostPort(host: clientHost, port: clientPort).description }

    func update(node: String? = nil, state: State) {
        mutable.withLock {
            if let node { $0.node = node }
            $0.state = state
        }
    }

    /// A balance plugin (traffic-split) sent the session to another upstream than its route's.
    func update(upstreamKey: String) { mutable.withLock { $0.upstreamKey = upstreamKey } }

    /// Sets (or with nil, drops) what closes the connection; the session drops it when it ends, since the
    /// closure holds the session.
    func setCloser(_ closer: (@Sendable (CloseReason) -> Void)?) { self.closer.withLock { $0 = closer } }

    /// Asks the owning event loop to close the connection.
    func close(_ reason: CloseReason) { closer.withLock { $0 }?(reason) }

    /// A copy for the console and tests.
    package var info: ConnectionInfo {
        let m = mutable.withLock { $0 }
        return ConnectionInfo(id: id, client: client, listener: listener, routeID: routeID, upstreamKey: m.upstreamKey,
                              transport: transport, node: m.node, state: m.state, startedAt: startedAt,
                              bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed))
    }
}

/// A live connection at one moment.
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
}
