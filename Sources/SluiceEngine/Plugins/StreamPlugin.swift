import NIOCore

/// A stream plugin compiled for one route from one configuration snapshot.
///
/// A session runs the phases of its route's plugins in APISIX priority order (higher first): `preread` (inspect
/// the held first bytes without consuming them, set session variables), `access` (refuse or delay), `balance`
/// (choose the upstream or the hash key), `transfer` (pace the proxied bytes), `log` (once, after close, with the
/// final record). A plugin takes part
/// only in the phases it lists in `phases`; a route without plugins pays nothing.
///
/// Plugins run on the session's event loop: every phase must return at once (no blocking, no waiting — a
/// delay is asked for with `AccessVerdict.delay`, work off the loop is handed to a queue of the plugin's own).
protocol StreamPlugin: Sendable {
    /// The configuration name (`ip-restriction`, `limit-conn` …).
    var name: String { get }
    /// APISIX's priority: ip-restriction 3000, limit-conn 1003, mqtt-proxy 1000, traffic-split 966,
    /// prometheus 500, syslog 401.
    var priority: Int { get }
    /// The phases this plugin takes part in.
    var phases: PluginPhases { get }

    /// The held bytes so far (never consumed: they go to the upstream as they are).
    func preread(_ bytes: ByteBufferView, session: inout PluginSession) -> PrereadVerdict
    /// The preread ended unfinished while this plugin waited on `bytes`: the client ended its input, or
    /// (`timedOut`) the preread timeout passed. The reason to close with, or nil for the engine's own
    /// (`preread_aborted`, `preread_timeout`).
    func prereadUnfinished(_ bytes: ByteBufferView, timedOut: Bool) -> (reason: CloseReason, why: String)?
    func access(_ session: inout PluginSession) -> AccessVerdict
    func balance(_ session: PluginSession) -> BalanceChoice
    /// The session is joined to its upstream: how fast each direction may read (limit-bandwidth).
    func throttles(now: UInt64) -> SessionThrottles
    /// The session ended; `record` is what the access log shows.
    func log(_ record: AccessLogRecord, session: PluginSession)
}

extension StreamPlugin {
    func preread(_ bytes: ByteBufferView, session: inout PluginSession) -> PrereadVerdict { .done }
    func prereadUnfinished(_ bytes: ByteBufferView, timedOut: Bool) -> (reason: CloseReason, why: String)? { nil }
    func access(_ session: inout PluginSession) -> AccessVerdict { .allow }
    func balance(_ session: PluginSession) -> BalanceChoice { .keep }
    func throttles(now: UInt64) -> SessionThrottles { .none }
    func log(_ record: AccessLogRecord, session: PluginSession) {}
}

/// The phases a plugin takes part in.
struct PluginPhases: OptionSet, Sendable {
    let rawValue: UInt8
    static let preread = PluginPhases(rawValue: 1)
    static let access = PluginPhases(rawValue: 2)
    static let balance = PluginPhases(rawValue: 4)
    static let log = PluginPhases(rawValue: 8)
    /// While proxying: pace the reads of each direction.
    static let transfer = PluginPhases(rawValue: 16)
}

/// What a preread plugin says after looking at the held bytes.
enum PrereadVerdict: Sendable, Equatable {
    /// Not enough bytes yet: called again when more arrive (up to the preread buffer and timeout).
    case needMoreData
    /// This plugin is satisfied.
    case done
    /// Close the client, nothing forwarded; `why` goes to the engine log.
    case refuse(CloseReason, why: String)
}

/// What an access plugin says.
enum AccessVerdict: Sendable, Equatable {
    case allow
    /// Close the client, nothing forwarded; `why` goes to the engine log.
    case refuse(CloseReason, why: String)
    /// Go on after this long (limit-conn's burst delay); the following plugins run then.
    case delay(TimeAmount)
}

/// What a balance plugin chooses.
enum BalanceChoice: Sendable {
    /// Leave the choice to the route's upstream and its key.
    case keep
    /// Use this upstream instead of the route's (traffic-split).
    case upstream(UpstreamRuntime)
    /// Use this chash key (mqtt-proxy's client id).
    case hashKey(String)
}

/// What plugins see of a session and may add to: the facts routing used and the session variables
/// (`mqtt_client_id`, `ssl_server_name` …), which balancing and logging can read too.
struct PluginSession: Sendable {
    let facts: ConnectionFacts
    let routeID: String
    /// The listener's address as configured (`127.0.0.1:9100`).
    let listenAddr: String
    var variables: [String: String] = [:]

    init(facts: ConnectionFacts, routeID: String, listenAddr: String) {
        self.facts = facts
        self.routeID = routeID
        self.listenAddr = listenAddr
        if let sni = facts.sni { variables["ssl_server_name"] = sni }
    }
}
