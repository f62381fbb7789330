/// A regular-expression key of an SNI map (`~^(.+)\.example\.com$`) as Sluice `sni` patterns, when the expression
/// means exactly one of the things Sluice matches: an exact name (`^a\.example\.com$`), every name below a domain
/// (`^.*\.example\.com$`, `^(.+)\.example\.com$`, `\.example\.com$` ⇒ `*.example.com`), or a domain and every
/// name below it (`^(.*\.)?example\.com$`, `(^|\.)example\.com$` ⇒ both). Any other expression is not translated.
enum RegexServerName {
    /// What the part before the domain allows.
    private enum Prefix {
        /// `^`: nothing.
        case none
        /// At least one label: `*.domain`.
        case labels
        /// Nothing or labels: `domain` and `*.domain`.
        case optionalLabels
    }

    /// Prefixes that mean "one or more labels, then the domain" (a capture group around them changes nothing).
    private static let labelPrefixes = ["^.*\\.", "^.+\\.", "^(.*)\\.", "^(.+)\\.", "^(?:.*)\\.", "^(?:.+)\\.",
                                        ".*\\.", ".+\\.", "\\."]
    /// Prefixes that mean "the domain itself, or labels then the domain".
    private static let optionalPrefixes = ["^(.*\\.)?", "^(.+\\.)?", "^(?:.*\\.)?", "^(?:.+\\.)?", "(^|\\.)",
                                           "(?:^|\\.)"]

    /// Why an expression is not translated.
    static let why = "Sluice matches server names exactly or by *.domain: only ^name$, ^.*\\.domain$ (or "
        + "^(.+)\\.domain$, \\.domain$) and ^(.*\\.)?domain$ translate"

    /// The `sni` patterns of map key `key` (with its `~` or `~*`), or nil when the expression is none of the forms.
    static func patterns(_ key: String) -> [String]? {
        var body = Substring(key)
        if body.hasPrefix("~*") { body = body.dropFirst(2) } else if body.hasPrefix("~") { body = body.dropFirst() }
        guard body.hasSuffix("$") else { return nil }
        body = body.dropLast()
        let prefix: Prefix
        if let p = optionalPrefixes.first(where: { body.hasPrefix($0) }) {
            prefix = .optionalLabels
            body = body.dropFirst(p.count)
        } else if let p = labelPrefixes.first(where: { body.hasPrefix($0) }) {
            prefix = .labels
            body = body.dropFirst(p.count)
        } else if body.hasPrefix("^") {
            prefix = .none
            body = body.dropFirst()
        } else {
            return nil
        }
        guard let name = literal(body) else { return nil }
        switch prefix {
        case .none: return [name]
        case .labels: return ["*.\(name)"]
        case .optionalLabels: return [name, "*.\(name)"]
        }
    }

    /// `a\.example\.com` ⇒ `a.example.com`: letters, digits, `-` (or `\-`) and escaped dots only, as whole labels;
    /// nil for anything else (an unescaped `.` matches any character, so it is not a name).
    private static func literal(_ s: Substring) -> String? {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                guard c == "." || c == "-" else { return nil }
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c.isASCII && (c.isLetter || c.isNumber || c == "-") {
                out.append(Character(c.lowercased()))
            } else {
                return nil
            }
        }
        guard !escaped, !out.isEmpty, !out.hasPrefix("."), !out.hasSuffix("."), !out.contains("..") else { return nil }
        return out
    }

    /// Whether every name `pattern` matches is matched by the wildcard `wildcard` (`*.domain`) too.
    static func covers(_ wildcard: String, _ pattern: String) -> Bool {
        guard wildcard.hasPrefix("*.") else { return false }
        let suffix = wildcard.dropFirst()  // ".domain"
        // `*.sub.domain` ⇒ ".sub.domain"; an exact name stays itself (`domain` is not below `.domain`).
        let names = pattern.hasPrefix("*.") ? pattern.dropFirst() : Substring(pattern)
        return names.hasSuffix(suffix)
    }
}
