import SluiceConfig

/// An nginx `upstream NAME { … }` block as Sluice fields: balancer, hash key and nodes.
struct UpstreamBlock {
    /// One `server` line of the block.
    struct Node {
        var host: String
        var port: Int
        var weight = 1
        /// `backup`: a lower priority tier (−1), used only when every primary node is down.
        var backup = false
        /// `down`: state `maint` (never chosen, not checked).
        var down = false
        /// `max_fails=` / `fail_timeout=`: the node's passive health check, as nginx's (nil: nginx's 1 and 10 s,
        /// which are Sluice's defaults too).
        var maxFails: Int?
        var failTimeout: Double?
        /// `max_conns=N` (N > 0; nginx's 0 is no limit, Sluice's default).
        var maxConns: Int?

        /// Whether the node needs the list form of `nodes` (a map has room for a weight only).
        var needsFields: Bool { backup || down || maxFails != nil || failTimeout != nil || maxConns != nil }
    }

    var name: String
    var location: SourceLocation
    var type = "roundrobin"
    var key: String?
    var nodes: [Node] = []

    /// Hash keys Sluice has, by nginx variable.
    static let hashKeys = ["$remote_addr": "remote_addr", "$binary_remote_addr": "remote_addr",
                           "$server_addr": "server_addr", "$server_port": "server_port"]

    /// - Parameter d: an `upstream` directive with one argument and a block.
    init(_ d: NginxDirective, notes: ImportNotes) {
        name = d.args[0]
        location = d.location
        let inners = d.block ?? []
        let hasZone = inners.contains { $0.name == "zone" }
        for inner in inners {
            switch inner.name {
            case "server": node(inner, hasZone: hasZone, notes)
            case "hash": hash(inner, notes)
            case "least_conn": type = "least_conn"
            case "random":
                if inner.args.last == "least_conn" {
                    type = "least_conn"
                    notes.add(inner, .approximate, "Sluice picks the node with the fewest connections (least_conn)")
                } else {
                    notes.add(inner, .approximate, "Sluice has no random balancer; weighted roundrobin spreads alike")
                }
            case "zone": notes.add(inner, .notNeeded, "Sluice shares balancer state within its one process")
            case "state": notes.add(inner, .notTranslated, "list the servers in the upstream block")
            default: notes.add(inner, .notTranslated, "unknown directive in an upstream block")
            }
        }
    }

    private mutating func hash(_ d: NginxDirective, _ notes: ImportNotes) {
        guard let variable = d.args.first, let key = Self.hashKeys[variable] else {
            notes.add(d, .notTranslated, "Sluice hashes only on $remote_addr, $server_addr or $server_port; "
                      + "balancing stays roundrobin")
            return
        }
        type = "chash"
        self.key = key
        if variable == "$binary_remote_addr" {
            notes.add(d, .approximate, "hashed on $remote_addr (the same client address as text)")
        }
        if d.args.count < 2 || d.args[1] != "consistent" {
            notes.add(d, .approximate, "Sluice's hash is always consistent (a ring): a node change moves fewer "
                      + "clients than nginx's plain hash")
        }
    }

    private mutating func node(_ d: NginxDirective, hasZone: Bool, _ notes: ImportNotes) {
        guard let address = d.args.first else {
            notes.add(d, .notTranslated, "server needs an address")
            return
        }
        if address.hasPrefix("unix:") {
            notes.add(d, .notTranslated, "Sluice connects to TCP/UDP nodes, not unix sockets")
            return
        }
        guard case .success(let hp) = HostPort.parse(address) else {
            notes.add(d, .notTranslated, "needs host:port (nginx stream servers need a port)")
            return
        }
        var node = Node(host: hp.host, port: hp.port)
        for param in d.args.dropFirst() {
            let (key, value) = Self.split(param)
            switch key {
            case "weight":
                if let w = value.flatMap({ Int($0) }), w >= 1 { node.weight = w } else {
                    notes.add(d, .notTranslated, "weight must be a positive number", subject: param)
                }
            case "backup": node.backup = true
            case "down": node.down = true
            case "max_fails":
                if let n = value.flatMap({ Int($0) }), (0...1_000_000).contains(n) { node.maxFails = n } else {
                    notes.add(d, .notTranslated, "max_fails must be a number of failures, 0 or more", subject: param)
                }
            case "fail_timeout":
                if let t = value.flatMap(NginxValue.seconds), t > 0, t <= 31_536_000 { node.failTimeout = t } else {
                    notes.add(d, .notTranslated, "fail_timeout must be a time of more than 0 such as 10s",
                              subject: param)
                }
            case "max_conns":
                guard let n = value.flatMap({ Int($0) }), (0...Int(Int32.max)).contains(n) else {
                    notes.add(d, .notTranslated, "max_conns must be a number of connections, 0 or more", subject: param)
                    continue
                }
                if n > 0 { node.maxConns = n }
                if n > 0 && !hasZone {
                    notes.add(d, .approximate, "Sluice counts the node's connections of the whole gateway; nginx "
                              + "without a zone in the upstream counts them per worker process", subject: param)
                }
            case "resolve":
                notes.add(d, .notNeeded, "Sluice re-resolves node names on their DNS TTL by itself", subject: param)
            case "slow_start":
                notes.add(d, .notTranslated, "Sluice has no slow start", subject: param)
            case "service":
                notes.add(d, .notTranslated, "Sluice has no DNS SRV discovery", subject: param)
            default:
                notes.add(d, .notTranslated, "unknown server parameter", subject: param)
            }
        }
        nodes.append(node)
    }

    /// `weight=3` ⇒ ("weight", "3"); `backup` ⇒ ("backup", nil).
    static func split(_ param: String) -> (String, String?) {
        guard let eq = param.firstIndex(of: "=") else { return (param, nil) }
        return (String(param[..<eq]), String(param[param.index(after: eq)...]))
    }

    /// The `nodes` field: a `"host:port": weight` map, or a list when a node has more to say (backup ⇒
    /// `priority: -1`, down ⇒ `state: maint`, `max_fails`, `fail_timeout`, `max_conns`).
    var nodesValue: ConfigValue {
        if nodes.contains(where: \.needsFields) {
            let backups = nodes.contains(where: \.backup)
            return .list(nodes.map { node in
                var b = MapBuilder()
                b.set("host", .string(node.host))
                b.set("port", .int(node.port))
                b.set("weight", .int(node.weight))
                b.set("priority", backups ? .int(node.backup ? -1 : 0) : nil)
                b.set("max_fails", node.maxFails.map { .int($0) })
                b.set("fail_timeout", node.failTimeout.map { .seconds($0) })
                b.set("state", node.down ? .string("maint") : nil)
                b.set("max_conns", node.maxConns.map { .int($0) })
                return b.value
            })
        }
        return ConfigValue(.map(nodes.map {
            ConfigEntry(key: HostPort(host: $0.host, port: $0.port).description, value: .int($0.weight))
        }))
    }
}
