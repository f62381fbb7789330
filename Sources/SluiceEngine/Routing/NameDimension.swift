/// The `sni` filter of the routes of one `RouteIndex`: which routes accept a given TLS server name.
///
/// Exact names are a hash; `*.domain` patterns are a hash of their suffix (`.domain`), each linked to the
/// longest other pattern suffix it ends with, so the patterns a name matches are the longest one found and
/// its chain. `*` and routes without `sni` are lists of their own.
///
/// Names and patterns of plain printable ASCII compare byte for byte, exactly as `String` compares them. Anything
/// else (non-ASCII, spaces, control bytes) keeps `String`'s Unicode rules: such patterns are always candidates
/// (checked by `CompiledRoute.matches`), and such a name narrows nothing.
struct NameDimension: Sendable {
    /// What a connection's name selects.
    enum Hit {
        /// No name: only routes without `sni` accept the connection.
        case absent
        /// A plain name: the exact list it hit and the longest wildcard suffix it ends with (-1: none).
        case plain(exactList: Int32, wildcard: Int32)
        /// A name that is not plain ASCII: every route is a candidate.
        case unusual
    }

    private let exact: NameTable
    /// Values are wildcard numbers: their lists and their next shorter suffix (-1: none) are below.
    private let wildcards: NameTable
    private let wildcardLists: [Int32]
    private let wildcardParents: [Int32]
    private let star: Int32
    private let unusualPatterns: Int32
    private let unnamed: Int32
    /// Every route of the bucket: what an unusual name selects.
    private let everyone: Int32
    /// False when no route has `sni`: the dimension then tells nothing.
    let narrows: Bool
    /// True when some pattern is not plain ASCII: what this dimension selects must then be checked.
    let hasUnusualPatterns: Bool

    /// - Parameter patterns: each route's `sni`, by ascending position.
    init(_ patterns: [(position: Int32, pattern: String?)], lists: inout RouteLists) {
        var exact: [Substring: [Int32]] = Dictionary(minimumCapacity: patterns.count)
        var suffixes: [Substring: [Int32]] = [:]
        var star: [Int32] = [], unusual: [Int32] = [], unnamed: [Int32] = []
        for (position, pattern) in patterns {
            guard let pattern else { unnamed.append(position); continue }
            if pattern == "*" {
                star.append(position)
            } else if !pattern.utf8.allSatisfy(Self.isPlain) {
                unusual.append(position)
            } else if pattern.hasPrefix("*.") {
                suffixes[pattern.dropFirst(), default: []].append(position)
            } else {
                exact[pattern[...], default: []].append(position)
            }
        }
        self.exact = NameTable(exact.map { (key: Array($0.key.utf8), value: lists.add($0.value)) })
        let keys = Array(suffixes.keys)
        let numbers = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, Int32($0.offset)) })
        wildcardLists = keys.map { lists.add(suffixes[$0] ?? []) }
        wildcardParents = keys.map { key in
            // The longest proper suffix of `key` that starts at a dot and is a pattern too (plain ASCII: one
            // character per byte).
            for i in key.indices.dropFirst() where key[i] == "." {
                if let parent = numbers[key[i...]] { return parent }
            }
            return -1
        }
        wildcards = NameTable(keys.enumerated().map { (key: Array($0.element.utf8), value: Int32($0.offset)) })
        self.star = lists.add(star)
        unusualPatterns = lists.add(unusual)
        hasUnusualPatterns = !unusual.isEmpty
        self.unnamed = lists.add(unnamed)
        everyone = lists.add(patterns.map(\.position))
        narrows = patterns.contains { $0.pattern != nil }
    }

    /// Printable ASCII but the space: bytes on which `String` equality and `hasSuffix` are plain byte tests.
    @inline(__always)
    static func isPlain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7f }

    func locate(_ name: String?) -> Hit {
        guard var name else { return .absent }
        return name.withUTF8 { bytes in
            var hash = NameTable.seed
            var wildcard: Int32 = -1
            var i = bytes.count
            while i > 0 {
                i -= 1
                let byte = bytes[i]
                guard Self.isPlain(byte) else { return .unusual }
                hash = NameTable.step(hash, byte)
                if byte == UInt8(ascii: "."),
                   let found = wildcards.value(hash: hash, key: UnsafeBufferPointer(rebasing: bytes[i...])) {
                    wildcard = found
                }
            }
            return .plain(exactList: exact.value(hash: hash, key: bytes) ?? -1, wildcard: wildcard)
        }
    }

    /// True when every position `first(_:atLeast:in:)` gives for `hit` is a route that accepts the name; false when
    /// they are only candidates (an unusual name or pattern), to be checked with `CompiledRoute.matches`.
    func isExact(_ hit: Hit) -> Bool {
        if case .unusual = hit { return false }
        return !hasUnusualPatterns
    }

    /// The first position ≥ `position` whose route accepts the name of `hit`, or `RouteLists.none`.
    func first(_ hit: Hit, atLeast position: Int32, in lists: RouteLists) -> Int32 {
        var best = lists.first(in: unnamed, atLeast: position)
        switch hit {
        case .absent: break
        case .unusual: return lists.first(in: everyone, atLeast: position)
        case .plain(let exactList, var wildcard):
            best = min(best, lists.first(in: star, atLeast: position))
            best = min(best, lists.first(in: unusualPatterns, atLeast: position))
            if exactList >= 0 { best = min(best, lists.first(in: exactList, atLeast: position)) }
            while wildcard >= 0, best != position {
                best = min(best, lists.first(in: wildcardLists[Int(wildcard)], atLeast: position))
                wildcard = wildcardParents[Int(wildcard)]
            }
        }
        return best
    }
}
