import SluiceConfig

/// The routes of one `server_port` bucket (or the port-less ones), indexed so that finding the first route in
/// precedence order that accepts a connection costs about the same for one route as for ten thousand.
///
/// Each filter is a dimension that gives, for one connection, the sorted lists of routes it accepts: the CIDR
/// blocks containing the client (`remote_addr`) and the listener address (`server_addr`), the SNI lists, the
/// transport. The answer is the smallest position in all of them, found by leapfrogging: every dimension in
/// turn moves the candidate up to its own next acceptable route until all agree. The route found is checked
/// with `CompiledRoute.matches` (which decides the rare names the SNI index leaves open), so the result is
/// always the linear scan's.
final class RouteIndex: Sendable {
    /// In precedence order: a route's position is its index here.
    let routes: [CompiledRoute]
    private let lists: RouteLists
    private let remote: AddressDimension
    private let server: AddressDimension
    private let name: NameDimension
    private let transport: TransportDimension
    /// The dimensions that narrow anything, the usually most selective first.
    private let order: [Dimension]

    private enum Dimension { case remote, server, name, transport }

    /// - Parameter routes: already in precedence order.
    init(_ routes: [CompiledRoute]) {
        self.routes = routes
        var lists = RouteLists()
        remote = AddressDimension(routes.map(\.route.remoteAddr), lists: &lists)
        server = AddressDimension(routes.map(\.route.serverAddr), lists: &lists)
        name = NameDimension(routes.map(\.route.sni), lists: &lists)
        transport = TransportDimension(routes.map(\.transport), lists: &lists)
        self.lists = lists
        order = [(Dimension.name, name.narrows), (.remote, remote.narrows), (.server, server.narrows),
                 (.transport, transport.narrows)].filter { $0.1 }.map { $0.0 }
    }

    /// The first route in precedence order that accepts `facts`, or nil.
    func first(_ facts: ConnectionFacts) -> CompiledRoute? {
        guard !order.isEmpty else { return routes.first { $0.matches(facts) } }
        // A dimension that narrows nothing is not in `order`: its lookup is skipped.
        let remoteHit = remote.narrows ? remote.locate(facts.remoteAddress) : .none
        let serverHit = server.narrows ? server.locate(facts.serverAddress) : .none
        let nameHit = name.narrows ? name.locate(facts.sni) : .absent
        var candidate: Int32 = 0
        var agreeing = 0
        var d = 0
        while true {
            let next: Int32 = switch order[d] {
            case .name: name.first(nameHit, atLeast: candidate, in: lists)
            case .remote: remote.first(remoteHit, atLeast: candidate, in: lists)
            case .server: server.first(serverHit, atLeast: candidate, in: lists)
            case .transport: transport.first(facts.transport, atLeast: candidate, in: lists)
            }
            guard next != RouteLists.none else { return nil }
            if next == candidate {
                agreeing += 1
            } else {
                candidate = next
                agreeing = 1
            }
            if agreeing == order.count {
                if routes[Int(candidate)].matches(facts) { return routes[Int(candidate)] }
                candidate += 1
                agreeing = 0
                if candidate == routes.count { return nil }
            }
            d = d + 1 == order.count ? 0 : d + 1
        }
    }
}

/// The transport a route is limited to by its service (`CompiledRoute.transport`).
struct TransportDimension: Sendable {
    private let tcp: Int32
    private let udp: Int32
    /// False when no route is limited: the dimension then tells nothing.
    let narrows: Bool

    init(_ limits: [ListenerSpec.Transport?], lists: inout RouteLists) {
        let positions = limits.indices.map { Int32($0) }
        tcp = lists.add(positions.filter { limits[Int($0)] != .udp })
        udp = lists.add(positions.filter { limits[Int($0)] != .tcp })
        narrows = limits.contains { $0 != nil }
    }

    func first(_ transport: ListenerSpec.Transport, atLeast position: Int32, in lists: RouteLists) -> Int32 {
        lists.first(in: transport == .tcp ? tcp : udp, atLeast: position)
    }
}
