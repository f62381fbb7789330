import Foundation

/// A compiled nginx-style `log_format`: literal text and `$variable` / `${variable}` references.
///
/// Compiled once; rendering walks the tokens without re-parsing.
public struct AccessLogFormat: Sendable {
    /// The format used when `access_log.format` is not set.
    public static let defaultFormat =
        "$remote_addr [$time_local] $protocol $status $bytes_sent $bytes_received $session_time \"$upstream_addr\" $route_id $close_reason"

    enum Token: Sendable, Equatable {
        case literal(String)
        case variable(AccessLogVariable)
    }

    let tokens: [Token]

    /// - Throws: `AccessLogFormatError` naming an unknown variable and its offset.
    public init(_ format: String) throws(AccessLogFormatError) {
        var tokens: [Token] = []
        var literal = ""
        let chars = Array(format.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        while i < chars.count {
            guard chars[i] == "$" else {
                literal.unicodeScalars.append(chars[i])
                i += 1
                continue
            }
            let start = i
            var name = ""
            if i + 1 < chars.count, chars[i + 1] == "{" {
                guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    throw AccessLogFormatError(message: "unclosed \"${\" at offset \(start)")
                }
                name = String(String.UnicodeScalarView(chars[(i + 2)..<close]))
                i = close + 1
            } else {
                var j = i + 1
                while j < chars.count, isNameChar(chars[j]) { j += 1 }
                name = String(String.UnicodeScalarView(chars[(i + 1)..<j]))
                i = j
            }
            if name.isEmpty {
                literal += "$"
                continue
            }
            guard let variable = AccessLogVariable(rawValue: name) else {
                throw AccessLogFormatError(message: "unknown variable \"$\(name)\" at offset \(start)")
            }
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = ""
            tokens.append(.variable(variable))
        }
        if !literal.isEmpty { tokens.append(.literal(literal)) }
        self.tokens = tokens
    }

    /// One log line, without the newline.
    public func render(_ record: AccessLogRecord) -> String {
        var out = ""
        out.reserveCapacity(160)
        for token in tokens {
            switch token {
            case .literal(let text): out += text
            case .variable(let v): v.append(record, to: &out)
            }
        }
        return out
    }
}

/// Why a `log_format` was refused.
public struct AccessLogFormatError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
