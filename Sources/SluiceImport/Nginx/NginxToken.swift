/// One token of an nginx configuration file.
enum NginxToken: Sendable, Equatable {
    /// A word or a quoted string (quotes removed, escapes resolved).
    case word(String)
    case openBrace
    case closeBrace
    case semicolon
}

/// A token and the line it starts on.
struct LocatedToken: Sendable, Equatable {
    var token: NginxToken
    var line: Int
}
