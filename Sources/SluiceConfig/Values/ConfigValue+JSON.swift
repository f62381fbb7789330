extension ConfigValue {
    /// Parses a JSON text (an Admin API body).
    /// - Throws: `ConfigError` saying what is wrong and where.
    public static func parseJSON(_ data: [UInt8]) throws(ConfigError) -> ConfigValue {
        var parser = JSONParser(data)
        return try parser.parseDocument()
    }

    /// Renders the value as compact JSON.
    public func jsonText() -> String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    private func writeJSON(into out: inout String) {
        switch kind {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): Self.writeJSONString(s, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(into: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += "," }
                Self.writeJSONString(entry.key, into: &out)
                out += ":"
                entry.value.writeJSON(into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string. Besides what JSON requires (`"`, `\`, U+0000…U+001F), DEL and the C1 controls
    /// (U+007F…U+009F) are written as `\u` escapes too: this text reaches syslog servers and terminals, where
    /// U+009B reads as CSI and DEL is not printable.
    private static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
