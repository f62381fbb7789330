/// The order in which routes are tried; the first that matches wins.
///
/// More specific filters win, compared in this order: `server_port` set, then `sni` (exact beats `*.domain`
/// beats `*` beats none), then the longest `server_addr` prefix, then the longest `remote_addr` prefix; then a
/// higher `priority`; then the smaller id (numeric ids compare as numbers). The router sorts by it, and the
/// warnings use it to tell a route that can never be chosen (`RouteShadowing`).
public struct RoutePrecedence: Comparable, Sendable {
    public var hasServerPort: Bool
    public var sniRank: Int
    public var serverPrefix: Int
    public var remotePrefix: Int
    public var priority: Int
    public var id: String
    /// `id` as a number, when it is one.
    public var numericID: Int?

    public init(_ route: StreamRoute) {
        hasServerPort = route.serverPort != nil
        sniRank = route.sni.map { $0 == "*" ? 1 : $0.hasPrefix("*.") ? 2 : 3 } ?? 0
        serverPrefix = route.serverAddr.reduce(-1) { max($0, $1.prefixLength) }
        remotePrefix = route.remoteAddr.reduce(-1) { max($0, $1.prefixLength) }
        priority = route.priority
        id = route.id
        numericID = Int(route.id)
    }

    /// True when `a` and `b` are equally specific: only `priority` and the id order them.
    public static func equallySpecific(_ a: RoutePrecedence, _ b: RoutePrecedence) -> Bool {
        (a.hasServerPort, a.sniRank, a.serverPrefix, a.remotePrefix) == (b.hasServerPort, b.sniRank, b.serverPrefix, b.remotePrefix)
    }

    /// `a < b` means a is tried before b.
    public static func < (a: RoutePrecedence, b: RoutePrecedence) -> Bool {
        if a.hasServerPort != b.hasServerPort { return a.hasServerPort }
        if a.sniRank != b.sniRank { return a.sniRank > b.sniRank }
        if a.serverPrefix != b.serverPrefix { return a.serverPrefix > b.serverPrefix }
        if a.remotePrefix != b.remotePrefix { return a.remotePrefix > b.remotePrefix }
        if a.priority != b.priority { return a.priority > b.priority }
        if let x = a.numericID, let y = b.numericID, x != y { return x < y }
        return a.id < b.id
    }
}
