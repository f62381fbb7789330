/// The lifecycle of one UDP session (one client address of one listener), as a value: events in, actions out.
///
/// ```
/// admitting → opening → relaying → closed
/// ```
/// While the access plugins run and the node's socket opens, the client's datagrams wait (bounded); a refusal or
/// a failed socket ends the session at once. `finish` is returned exactly once.
struct UDPSessionMachine: Sendable {
    enum State: Sendable, Equatable {
        /// The route's access plugins run (and may delay).
        case admitting
        /// The connected socket towards the chosen node is being opened; datagrams wait.
        case opening
        /// Datagrams go both ways.
        case relaying
        /// Logged and settled; the next datagram from this client starts a new session.
        case closed
    }

    enum Action: Sendable, Equatable {
        case none
        /// Run the access plugins, then feed `admitted` or `close`.
        case runAccess
        /// Pick a node and open the socket; feed `socketReady` or `socketFailed`.
        case openSocket
        /// Send the waiting datagrams.
        case sendWaiting
        /// A socket that opened after the session ended: close it.
        case discardSocket
        /// Close the socket, log and settle.
        case finish
    }

    private(set) var state: State
    private(set) var reason: CloseReason?
    /// Replies still expected before the session ends (`proxy_responses`); nil for no limit.
    private(set) var repliesLeft: Int?

    init(expectedReplies: Int?) {
        state = .admitting
        repliesLeft = expectedReplies
    }

    var status: Int { reason?.status ?? 200 }

    /// The session is routed; `access` when the route has access plugins.
    mutating func begin(access: Bool) -> Action {
        guard state == .admitting else { return .none }
        if access { return .runAccess }
        return admitted()
    }

    mutating func admitted() -> Action {
        guard state == .admitting else { return .none }
        state = .opening
        return .openSocket
    }

    mutating func socketReady() -> Action {
        guard state == .opening else { return .discardSocket }
        state = .relaying
        return .sendWaiting
    }

    mutating func socketFailed() -> Action { close(.connectFailed) }

    /// A reply was relayed to the client.
    mutating func replyRelayed() -> Action {
        guard state == .relaying, let left = repliesLeft else { return .none }
        repliesLeft = left - 1
        return left <= 1 ? close(.responsesReceived) : .none
    }

    /// Ends the session (a refusal, idle timeout, kill, ICMP error, shutdown); the first reason is kept.
    mutating func close(_ why: CloseReason) -> Action {
        guard state != .closed else { return .none }
        if reason == nil { reason = why }
        state = .closed
        return .finish
    }
}
