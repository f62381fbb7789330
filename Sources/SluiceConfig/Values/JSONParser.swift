/// A strict JSON (RFC 8259) reader producing `ConfigValue`s.
///
/// Written here rather than using Foundation's so that key order is kept, integers stay integers, booleans stay
/// booleans on every platform, and errors say where: `unexpected character "}" at line 1, column 14`.
struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(ConfigError) -> ConfigValue {
        skipSpace()
        let value = try parseValue()
        skipSpace()
        if i < bytes.count { throw fail("unexpected \(describeCurrent()) after the value") }
        return value
    }

    private mutating func parseValue() throws(ConfigError) -> ConfigValue {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return ConfigValue(.string(try parseString()))
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected \(describeCurrent())")
        }
    }

    private mutating func nest() throws(ConfigError) {
        depth += 1
        if depth > 64 { throw fail("nested too deeply") }
    }

    private mutating func parseObject() throws(ConfigError) -> ConfigValue {
        try nest()
        i += 1
        var entries: [ConfigEntry] = []
        var keys: Set<String> = []
        skipSpace()
        if peek(UInt8(ascii: "}")) {
            i += 1
            depth -= 1
            return ConfigValue(.map(entries))
        }
        while true {
            skipSpace()
            guard peek(UInt8(ascii: "\"")) else { throw fail("expected a quoted key, got \(describeCurrent())") }
            let key = try parseString()
            guard keys.insert(key).inserted else { throw fail("duplicate key \"\(key)\"") }
            skipSpace()
            guard peek(UInt8(ascii: ":")) else { throw fail("expected \":\" after key \"\(key)\"") }
            i += 1
            skipSpace()
            entries.append(ConfigEntry(key: key, value: try parseValue()))
            skipSpace()
            if peek(UInt8(ascii: ",")) { i += 1; continue }
            if peek(UInt8(ascii: "}")) { i += 1; break }
            throw fail("expected \",\" or \"}\", got \(describeCurrent())")
        }
        depth -= 1
        return ConfigValue(.map(entries))
    }

    private mutating func parseArray() throws(ConfigError) -> ConfigValue {
        try nest()
        i += 1
        var items: [ConfigValue] = []
        skipSpace()
        if peek(UInt8(ascii: "]")) {
            i += 1
            depth -= 1
            return ConfigValue(.list(items))
        }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            if peek(UInt8(ascii: ",")) { i += 1; continue }
            if peek(UInt8(ascii: "]")) { i += 1; break }
            throw fail("expected \",\" or \"]\", got \(describeCurrent())")
        }
        depth -= 1
        return ConfigValue(.list(items))
    }

    private mutating func parseString() throws(ConfigError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"): out += Array(String(try parseUnicodeEscape()).utf8)
                default: throw fail("invalid escape \"\\\(Character(Unicode.Scalar(e)))\"")
                }
            case 0..<0x20:
                throw fail("control character in a string")
            default:
                out.append(c)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(ConfigError) -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }

    private mutating func parseUnicodeEscape() throws(ConfigError) -> Character {
        var v = try hex4()
        if (0xD800..<0xDC00).contains(v), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
           bytes[i + 1] == UInt8(ascii: "u") {
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(v) else { throw fail("invalid \\u escape") }
        return Character(scalar)
    }

    private mutating func parseNumber() throws(ConfigError) -> ConfigValue {
        let start = i
        var isInteger = true
        if peek(UInt8(ascii: "-")) { i += 1 }
        while i < bytes.count {
            let c = bytes[i]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                i += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                        || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                isInteger = false
                i += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let n = Int(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else { throw fail("invalid number \(text)") }
        return ConfigValue(.double(d))
    }

    private mutating func literal(_ word: String) throws(ConfigError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw fail("unexpected \(describeCurrent())")
        }
        i += w.count
    }

    private func peek(_ c: UInt8) -> Bool { i < bytes.count && bytes[i] == c }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private func describeCurrent() -> String {
        guard i < bytes.count else { return "end of input" }
        let c = bytes[i]
        return c >= 0x20 && c < 0x7F ? "character \"\(Character(Unicode.Scalar(c)))\"" : "byte 0x\(String(c, radix: 16))"
    }

    private func fail(_ message: String) -> ConfigError {
        let upTo = bytes[..<min(i, bytes.count)]
        let line = upTo.filter { $0 == 0x0A }.count + 1
        let column = i - (upTo.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return ConfigError(path: "", message: "\(message) at line \(line), column \(column)")
    }
}
