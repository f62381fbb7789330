import SluiceConfig

/// The routes of one `server_port` bucket (or the port-less ones), indexed so that finding the first route in
/// precedence order that accepts a connection costs about the same for one route as for ten thousand.
///
/// A route is known by its position in the router's list of all routes (in precedence order), shared by every
/// bucket; a bucket's members are ascending positions.
///
/// Each filter is a dimension that gives, for one connection, the sorted lists of routes it accepts: the CIDR
/// blocks containing the client (`remote_addr`) and the listener address (`server_addr`), the SNI lists, the
/// transport. The answer is the smallest position in all of them, found by leapfrogging: every dimension in
/// turn moves the candidate up to its own next acceptable route until all agree. Every dimension is exact but
/// for names or patterns that are not plain ASCII: only then is the route found checked with
/// `CompiledRoute.matches` (reading a route's own fields costs cache misses with many routes), so the result
/// is always the linear scan's.
final class RouteIndex: Sendable {
    /// Every route of the router, in precedence order.
    private let routes: [CompiledRoute]
    /// This bucket's positions in `routes`, ascending.
    private let members: [Int32]
    private let lists: RouteLists
    private let remote: AddressDimension
    private let server: AddressDimension
    private let name: NameDimension
    private let transport: TransportDimension
    /// The dimensions that narrow anything, the usually most selective first.
    private let order: [Dimension]

    private enum Dimension { case remote, server, name, transport }

    /// - Parameters:
    ///   - routes: all routes, in precedence order.
    ///   - members: the positions in `routes` of this bucket's routes, ascending.
    init(_ routes: [CompiledRoute], members: [Int32]) {
        self.routes = routes
        self.members = members
        var lists = RouteLists()
        remote = AddressDimension(members.map { (position: $0, cidrs: routes[Int($0)].route.remoteAddr) },
                                  lists: &lists)
        server = AddressDimension(members.map { (position: $0, cidrs: routes[Int($0)].route.serverAddr) },
                                  lists: &lists)
        name = NameDimension(members.map { (position: $0, pattern: routes[Int($0)].route.sni) }, lists: &lists)
        transport = TransportDimension(members.map { (position: $0, limit: routes[Int($0)].transport) },
                                       lists: &lists)
        self.lists = lists
        order = [(Dimension.name, name.narrows), (.remote, remote.narrows), (.server, server.narrows),
                 (.transport, transport.narrows)].filter { $0.1 }.map { $0.0 }
    }

    /// The position of the first route in precedence order that accepts `facts` and is not `retired`, or
    /// `RouteLists.none`.
    func first(_ facts: ConnectionFacts, skipping retired: RetiredRoutes) -> Int32 {
        guard !order.isEmpty else {
            return members.first { !retired.contains($0) && routes[Int($0)].matches(facts) } ?? RouteLists.none
        }
        // A dimension that narrows nothing is not in `order`: its lookup is skipped.
        let remoteHit = remote.narrows ? remote.locate(facts.remoteAddress) : .none
        let serverHit = server.narrows ? server.locate(facts.serverAddress) : .none
        let nameHit = name.narrows ? name.locate(facts.sni) : .absent
        let exact = name.isExact(nameHit)
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
            guard next != RouteLists.none else { return RouteLists.none }
            if next == candidate {
                agreeing += 1
            } else {
                candidate = next
                agreeing = 1
            }
            if agreeing == order.count {
                if !retired.contains(candidate) {
                    if exact {
                        assert(routes[Int(candidate)].matches(facts), "the index selected a route that does not match")
                        return candidate
                    }
                    if routes[Int(candidate)].matches(facts) { return candidate }
                }
                candidate += 1
                agreeing = 0
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

    init(_ limits: [(position: Int32, limit: ListenerSpec.Transport?)], lists: inout RouteLists) {
        tcp = lists.add(limits.filter { $0.limit != .udp }.map(\.position))
        udp = lists.add(limits.filter { $0.limit != .tcp }.map(\.position))
        narrows = limits.contains { $0.limit != nil }
    }

    func first(_ transport: ListenerSpec.Transport, atLeast position: Int32, in lists: RouteLists) -> Int32 {
        lists.first(in: transport == .tcp ? tcp : udp, atLeast: position)
    }
}
