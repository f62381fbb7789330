import SluiceConfig

/// Where a `proxy_pass` (or one value of an SNI map) sends connections.
enum ProxyTarget: Equatable {
    /// The `upstream` block of that name.
    case upstream(String)
    /// A literal `host:port` (an inline upstream of one node).
    case address(HostPort)

    /// Reads an upstream name or `host:port`; nil when neither.
    static func parse(_ text: String, upstreams: Set<String>) -> ProxyTarget? {
        if upstreams.contains(text) { return .upstream(text) }
        if case .success(let hp) = HostPort.parse(text) { return .address(hp) }
        return nil
    }
}

/// A `map $ssl_preread_server_name $var { … }`: server names to targets, for SNI routes.
struct SNIMap {
    /// One line of the map: a Sluice `sni` pattern (exact or `*.domain`) and its target.
    struct Entry {
        var sni: String
        var target: ProxyTarget
    }

    var variable: String
    var entries: [Entry] = []
    var fallback: ProxyTarget?

    /// Reads the map's lines; lines Sluice cannot match (most regular expressions, suffix wildcards) are noted.
    init(_ d: NginxDirective, upstreams: Set<String>, notes: ImportNotes) {
        variable = d.args.count > 1 ? d.args[1] : ""
        let hostnames = d.block?.contains { $0.name == "hostnames" } ?? false
        var regexLines: [(line: NginxDirective, patterns: [String], target: ProxyTarget)] = []
        for line in d.block ?? [] {
            if line.name == "hostnames" { continue }
            if line.name == "volatile" {
                notes.add(line, .notNeeded, "Sluice routes each connection anew")
                continue
            }
            guard line.args.count == 1 else {
                notes.add(line, .notTranslated, "a map line is a name and one value")
                continue
            }
            guard let target = ProxyTarget.parse(line.args[0], upstreams: upstreams) else {
                notes.add(line, .notTranslated, "the value must be an upstream name or host:port")
                continue
            }
            if line.name == "default" {
                fallback = target
                continue
            }
            if line.name.hasPrefix("~") {
                guard let patterns = RegexServerName.patterns(line.name) else {
                    notes.add(line, .notTranslated, RegexServerName.why)
                    continue
                }
                if !line.name.hasPrefix("~*") {
                    notes.add(line, .approximate, "Sluice matches server names in any letter case (nginx's ~, unlike "
                              + "~*, is case-sensitive)")
                }
                regexLines.append((line, patterns, target))
                continue
            }
            for sni in Self.patterns(line.name, hostnames: hostnames, line: line, notes: notes) {
                entries.append(Entry(sni: sni, target: target))
            }
        }
        addRegexEntries(regexLines, notes: notes)
    }

    /// nginx tries exact names, then wildcard names, then the regular expressions in their order; Sluice tries
    /// exact names, then the longest `*.domain`. A pattern made of an expression is therefore left out when a
    /// wildcard name or an earlier expression already takes every name it matches (it never decides in nginx);
    /// the rest follow the other lines, so an exact name given both ways keeps the plain line's target.
    private mutating func addRegexEntries(_ lines: [(line: NginxDirective, patterns: [String], target: ProxyTarget)],
                                          notes: ImportNotes) {
        let wildcards = entries.map(\.sni).filter { $0.hasPrefix("*.") }
        var earlier: [String] = []
        for (line, patterns, target) in lines {
            for sni in patterns {
                if let w = wildcards.first(where: { RegexServerName.covers($0, sni) }) {
                    notes.add(line, .notNeeded, "\(sni) never decides: nginx tries the wildcard name \(w) before "
                              + "regular expressions")
                } else if let w = earlier.first(where: { RegexServerName.covers($0, sni) }) {
                    notes.add(line, .notNeeded, "\(sni) never decides: an earlier regular expression (\(w)) takes "
                              + "its names")
                } else {
                    entries.append(Entry(sni: sni, target: target))
                }
            }
            earlier += patterns.filter { $0.hasPrefix("*.") }
        }
    }

    /// Sluice `sni` values for one map key: `a.example.com`, `*.example.com`, or both for `.example.com`.
    private static func patterns(_ key: String, hostnames: Bool, line: NginxDirective,
                                 notes: ImportNotes) -> [String] {
        let name = key.lowercased()
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-._*")
        if name.isEmpty || !name.allSatisfy(nameCharacters.contains)
            || name.dropFirst().contains("*") && !name.hasSuffix(".*") {
            notes.add(line, .notTranslated, "not a server name Sluice can match")
            return []
        }
        let wildcardShape = name.hasPrefix("*.") || name.hasPrefix(".") || name.hasSuffix(".*")
        guard hostnames || !wildcardShape else {
            // Without `hostnames` nginx compares such a key as a plain string, which no server name equals.
            notes.add(line, .notTranslated, "without `hostnames` nginx matches it as a plain string, never a name")
            return []
        }
        guard wildcardShape else { return [name] }
        if name.hasSuffix(".*") {
            notes.add(line, .notTranslated, "Sluice has no suffix wildcards (name.*)")
            return []
        }
        let domain = name.hasPrefix("*.") ? String(name.dropFirst(2)) : String(name.dropFirst())
        return name.hasPrefix(".") ? [domain, "*.\(domain)"] : ["*.\(domain)"]
    }
}
