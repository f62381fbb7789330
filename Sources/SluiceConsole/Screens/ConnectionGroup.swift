import SluiceEngine

/// The live connections of one client address or one route, summed: the Connections screen's top talkers.
struct ConnectionGroup: Equatable {
    /// What the connections are grouped by; `g` goes round them.
    enum Kind {
        case off, client, route
        var next: Kind { self == .off ? .client : self == .client ? .route : .off }
        var label: String { self == .route ? "route" : "client" }
    }

    /// The client's address without its port, or the route id: what Enter puts in the filter.
    var key: String
    /// The key, with the route's name when it has one.
    var label: String
    var connections = 0
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var rate = Rate()

    /// `127.0.0.1` of `127.0.0.1:5000`, `::1` of `[::1]:5000`.
    static func host(ofClient client: String) -> String {
        if client.hasPrefix("["), let end = client.firstIndex(of: "]") {
            return String(client[client.index(after: client.startIndex)..<end])
        }
        return client.lastIndex(of: ":").map { String(client[..<$0]) } ?? client
    }

    /// The groups of `connections`, the busiest first (the rate both ways, then the bytes, then the key).
    static func of(_ connections: [ConnectionInfo], by kind: Kind, data: ConsoleData) -> [ConnectionGroup] {
        let names = Dictionary(data.engine.routes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var groups: [String: ConnectionGroup] = [:]
        for c in connections {
            let key = kind == .route ? c.routeID : host(ofClient: c.client)
            let label = kind == .route ? (names[key].flatMap { $0.map { "\(key) \($0)" } } ?? key) : key
            var g = groups[key] ?? ConnectionGroup(key: key, label: label)
            let rate = data.rates.rate(RateTracker.connectionKey(c.id))
            g.connections += 1
            g.bytesIn += c.bytesIn
            g.bytesOut += c.bytesOut
            g.rate.bytesIn += rate.bytesIn
            g.rate.bytesOut += rate.bytesOut
            groups[key] = g
        }
        return groups.values.sorted {
            let (a, b) = ($0.rate.bytesIn + $0.rate.bytesOut, $1.rate.bytesIn + $1.rate.bytesOut)
            if a != b { return a > b }
            if $0.bytesIn + $0.bytesOut != $1.bytesIn + $1.bytesOut { return $0.bytesIn + $0.bytesOut > $1.bytesIn + $1.bytesOut }
            return $0.key < $1.key
        }
    }
}
