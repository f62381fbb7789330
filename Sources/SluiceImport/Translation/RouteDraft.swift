import SluiceConfig

/// One stream route in the making: a server block's port (and address, and server name), where it goes, and
/// over which transports its listeners take connections.
struct RouteDraft {
    var server: Int
    var port: Int
    /// The listener's IP address when the server listens on one address only.
    var serverAddr: String?
    var sni: String?
    var tcp = false
    var udp = false
    var target: ProxyTarget
    var options: ProxyOptions
    var location: SourceLocation
    /// The server's plugins, by name.
    var plugins: [(String, ConfigValue)] = []
    var limitConn: LimitConnTranslation.Limit?

    /// Same server, port, address and server name: one route, whatever the transports.
    func sameMatch(as other: RouteDraft) -> Bool {
        server == other.server && port == other.port && serverAddr == other.serverAddr && sni == other.sni
    }
}

/// Readable, valid object ids (`listen-3390`): characters outside `a-z A-Z 0-9 - _ .` become `-`, at most 64,
/// and a clash gets `-2`, `-3`, ….
struct IDAllocator {
    private var used: Set<String> = []

    static func sanitize(_ s: String) -> String {
        let mapped = String(s.unicodeScalars.map { c -> Character in
            let ok = ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "-_.".unicodeScalars.contains(c)
            return ok ? Character(c) : "-"
        })
        return mapped.isEmpty ? "-" : String(mapped.prefix(64))
    }

    mutating func take(_ preferred: String) -> String {
        let base = Self.sanitize(preferred)
        var id = base
        var n = 2
        while used.contains(id) {
            let suffix = "-\(n)"
            id = String(base.prefix(64 - suffix.count)) + suffix
            n += 1
        }
        used.insert(id)
        return id
    }
}
