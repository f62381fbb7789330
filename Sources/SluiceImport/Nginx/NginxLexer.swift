/// Splits nginx configuration text into tokens, the way nginx's `ngx_conf_read_token` does: words separated by
/// white space, `{` `}` `;` on their own, `#` comments to the end of the line (only where a token may start),
/// `"…"` and `'…'` strings with backslash escapes, and `${name}` kept inside a word.
struct NginxLexer {
    private let scalars: [Unicode.Scalar]
    private let file: String

    init(text: String, file: String) {
        scalars = Array(text.unicodeScalars)
        self.file = file
    }

    /// - Throws: `NginxSyntaxError` for an unterminated string or a quote glued to the next token.
    func tokens() throws(NginxSyntaxError) -> [LocatedToken] {
        var out: [LocatedToken] = []
        var i = 0
        var line = 1
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\n":
                line += 1
                i += 1
            case " ", "\t", "\r":
                i += 1
            case "#":
                while i < scalars.count && scalars[i] != "\n" { i += 1 }
            case "{":
                out.append(LocatedToken(token: .openBrace, line: line))
                i += 1
            case "}":
                out.append(LocatedToken(token: .closeBrace, line: line))
                i += 1
            case ";":
                out.append(LocatedToken(token: .semicolon, line: line))
                i += 1
            case "\"", "'":
                let start = line
                let text = try quoted(from: &i, line: &line, quote: c)
                if i < scalars.count, !Self.endsToken(scalars[i]) {
                    throw NginxSyntaxError(SourceLocation(file: file, line: line),
                                           "unexpected \"\(scalars[i])\" after a quoted string")
                }
                out.append(LocatedToken(token: .word(text), line: start))
            default:
                out.append(LocatedToken(token: .word(word(from: &i)), line: line))
            }
        }
        return out
    }

    private static func endsToken(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == ";" || c == "{" || c == "}"
    }

    /// A bare word, up to white space or `{` `}` `;` (a `{` right after `$` opens `${name}`); a backslash
    /// keeps the next character.
    private func word(from i: inout Int) -> String {
        var s = String.UnicodeScalarView()
        while i < scalars.count, !Self.endsToken(scalars[i]) || (scalars[i] == "{" && s.last == "$") {
            if scalars[i] == "{" {
                while i < scalars.count && scalars[i] != "}" && scalars[i] != "\n" {
                    s.append(scalars[i])
                    i += 1
                }
                if i < scalars.count && scalars[i] == "}" { s.append("}"); i += 1 }
                continue
            }
            if scalars[i] == "\\" && i + 1 < scalars.count && scalars[i + 1] != "\n" {
                appendEscape(scalars[i + 1], to: &s)
                i += 2
                continue
            }
            s.append(scalars[i])
            i += 1
        }
        return String(s)
    }

    /// nginx's escapes, the same in words and strings: `\"` `\'` `\\` give the character, `\t` `\r` `\n` the
    /// control character; any other `\x` stays as written (so `~^www\d+` keeps its backslash).
    private func appendEscape(_ next: Unicode.Scalar, to s: inout String.UnicodeScalarView) {
        switch next {
        case "\"", "'", "\\": s.append(next)
        case "t": s.append("\t")
        case "r": s.append("\r")
        case "n": s.append("\n")
        default:
            s.append("\\")
            s.append(next)
        }
    }

    /// A quoted string starting at the quote `i` points to; `i` ends after the closing quote.
    private func quoted(from i: inout Int, line: inout Int, quote: Unicode.Scalar) throws(NginxSyntaxError) -> String {
        let startLine = line
        var s = String.UnicodeScalarView()
        i += 1
        while i < scalars.count {
            let c = scalars[i]
            if c == quote {
                i += 1
                return String(s)
            }
            if c == "\n" { line += 1 }
            if c == "\\", i + 1 < scalars.count {
                let next = scalars[i + 1]
                appendEscape(next, to: &s)
                if next == "\n" { line += 1 }
                i += 2
                continue
            }
            s.append(c)
            i += 1
        }
        throw NginxSyntaxError(SourceLocation(file: file, line: startLine), "unterminated quoted string")
    }
}
