import SluiceConfig

/// nginx's `allow` / `deny` rules of one level (`stream {}` or a `server`), as ip-restriction.
///
/// nginx takes the first rule that matches the client, and lets it in when none does. ip-restriction has one list:
/// a whitelist (everyone else refused) or a blacklist (everyone else let in). The rules become one exactly when
/// no rule of the other kind decides for any address of theirs first; otherwise the import says so and writes no
/// ip-restriction rather than one that would let in or keep out other clients than nginx does.
struct AccessRules {
    /// One `allow` or `deny`; `block` nil for `all`.
    struct Rule {
        var allow: Bool
        var block: CIDR?
        var location: SourceLocation
    }

    /// What the rules become.
    enum Translation: Equatable {
        /// Everyone is let in: nothing to write.
        case none
        case whitelist([CIDR])
        case blacklist([CIDR])
        /// Not expressible as one list; why.
        case inexact(String)
    }

    private(set) var rules: [Rule] = []

    var isEmpty: Bool { rules.isEmpty }

    /// Reads `allow X` / `deny X`.
    mutating func read(_ d: NginxDirective, notes: ImportNotes) {
        guard d.args.count == 1 else {
            notes.add(d, .notTranslated, "expects one address, CIDR or all")
            return
        }
        let text = d.args[0]
        if text == "all" {
            rules.append(Rule(allow: d.name == "allow", block: nil, location: d.location))
        } else if let block = CIDR(text) {
            rules.append(Rule(allow: d.name == "allow", block: block, location: d.location))
        } else if text.hasPrefix("unix:") {
            notes.add(d, .notNeeded, "Sluice's clients come over TCP or UDP, never a unix socket")
        } else {
            notes.add(d, .notTranslated, "not an IP address, CIDR or all")
        }
    }

    /// The ip-restriction these rules amount to, in nginx's first-match order.
    var translation: Translation {
        var decisive: [Rule] = []
        var fallbackAllows = true
        for rule in rules {
            guard let block = rule.block else {
                fallbackAllows = rule.allow  // `all`: later rules are never reached
                break
            }
            // A rule inside an earlier one never decides anything.
            if decisive.contains(where: { $0.block.map { Self.covers($0, block) } ?? false }) { continue }
            decisive.append(rule)
        }
        // Whitelist when the fallback refuses: the allows; a deny only matters where a later allow overlaps it.
        // Blacklist when the fallback lets in: the denies; an allow only matters where a later deny overlaps it.
        let listed = decisive.filter { $0.allow != fallbackAllows }
        for (i, rule) in decisive.enumerated() where rule.allow == fallbackAllows {
            if let later = decisive[(i + 1)...].first(where: {
                $0.allow != fallbackAllows && Self.overlap($0.block, rule.block)
            }) {
                return .inexact("\(rule.allow ? "allow" : "deny") \(rule.block?.description ?? "") (line "
                                + "\(rule.location.line)) decides first for part of \(later.allow ? "allow" : "deny") "
                                + "\(later.block?.description ?? "") (line \(later.location.line)): ip-restriction "
                                + "has one whitelist or blacklist, not an ordered list")
            }
        }
        let blocks = listed.compactMap(\.block)
        if fallbackAllows { return blocks.isEmpty ? .none : .blacklist(blocks) }
        // Everyone refused but some: a whitelist; everyone refused: a blacklist of every address.
        return blocks.isEmpty ? .blacklist([CIDR("0.0.0.0/0"), CIDR("::/0")].compactMap { $0 }) : .whitelist(blocks)
    }

    /// Where the rules after an `all` start (never reached), if any.
    var unreachable: [Rule] {
        guard let all = rules.firstIndex(where: { $0.block == nil }) else { return [] }
        return Array(rules[(all + 1)...])
    }

    /// Whether `outer` contains all of `inner`.
    static func covers(_ outer: CIDR, _ inner: CIDR) -> Bool {
        outer.prefixLength <= inner.prefixLength && outer.contains(inner.address)
    }

    static func overlap(_ a: CIDR?, _ b: CIDR?) -> Bool {
        guard let a, let b else { return true }
        return covers(a, b) || covers(b, a)
    }

    /// The ip-restriction plugin's configuration; nil (with a note) when there is nothing to write or no exact one.
    func plugin(notes: ImportNotes) -> ConfigValue? {
        for rule in unreachable {
            notes.add(at: rule.location, .notNeeded, "\(rule.allow ? "allow" : "deny") \(rule.block?.description ?? "all")",
                      "never reached: an earlier rule matches all addresses")
        }
        switch translation {
        case .none: return nil
        case .whitelist(let blocks): return .map([("whitelist", .list(blocks.map { .string($0.description) }))])
        case .blacklist(let blocks): return .map([("blacklist", .list(blocks.map { .string($0.description) }))])
        case .inexact(let why):
            if let first = rules.first {
                notes.add(at: first.location, .notTranslated, "allow/deny",
                          why + "; no ip-restriction is written, so this server lets every client in until one is "
                          + "written by hand")
            }
            return nil
        }
    }
}
