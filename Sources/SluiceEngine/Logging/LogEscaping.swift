/// Escapes client-controlled text before it goes into a log line, as nginx does: a character that could end a
/// line, drive a terminal or break a quoted field becomes `\xHH` (its UTF-8 bytes), so a value can never forge or
/// hide log lines.
///
/// Always escaped: U+0000…U+001F, U+007F, the C1 controls U+0080…U+009F (a terminal reads U+009B as CSI) and `\`
/// (so a literal `\x0A` cannot pass for an escaped newline). In the `quoted` style (access-log fields, which
/// formats often put in quotes) `"` too. Other text (`café`, `例え`) is kept. A Swift `String` is valid UTF-8 by
/// construction: bytes that were not arrive here as U+FFFD, which is kept too.
package enum LogEscaping {
    /// Which characters besides the controls and `\` are escaped.
    package enum Style: Sendable {
        /// Also `"`: for access-log fields (nginx's `escape=default`).
        case quoted
        /// Controls and `\` only: for the diagnostic log, whose messages quote names in `"`.
        case plain
    }

    /// `text` escaped; nothing is copied when nothing needs escaping (the common case costs one scan).
    package static func escape(_ text: String, _ style: Style = .quoted) -> String {
        if text.utf8.allSatisfy({ isPlainASCII($0, style) }) { return text }
        var out = ""
        append(text, style, to: &out)
        return out
    }

    /// Appends `text` escaped to `out`.
    package static func append(_ text: String, _ style: Style = .quoted, to out: inout String) {
        if text.utf8.allSatisfy({ isPlainASCII($0, style) }) {
            out += text
            return
        }
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, style) {
                for byte in String(scalar).utf8 { appendHex(byte, to: &out) }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    private static func isPlainASCII(_ byte: UInt8, _ style: Style) -> Bool {
        byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\\") && (style == .plain || byte != UInt8(ascii: "\""))
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, _ style: Style) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar == "\\"
            || (style == .quoted && scalar == "\"")
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func appendHex(_ byte: UInt8, to out: inout String) {
        out += "\\x"
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0x0f)])
    }
}
