/// APISIX's `limit-conn` for stream routes: at most `conn` concurrent connections per route and key, `burst` more
/// delayed, the rest refused (status 503, reason `limit_conn`).
public struct LimitConnConfig: Sendable, Hashable {
    static let name = "limit-conn"

    /// The connection facts a key may name (`key_type: var`), or combine as `$name` (`key_type: var_combination`).
    public static let variables = ["remote_addr", "remote_port", "server_addr", "server_port", "ssl_server_name"]

    /// One piece of a key: a variable's value or literal text.
    public enum KeyPart: Sendable, Hashable {
        case variable(String)
        case literal(String)
    }

    public var conn: Int
    public var burst: Int
    /// Seconds; the delay unit of a connection beyond `conn`.
    public var defaultConnDelay: Double
    /// When false (APISIX's default), the delay unit follows the sessions' observed durations as APISIX's does.
    public var onlyUseDefaultDelay: Bool
    /// The key, already split; a key that resolves to nothing falls back to `remote_addr`, as APISIX does.
    public var key: [KeyPart]
    /// APISIX's `rejected_msg`: HTTP sends it as the body; Sluice writes it to the engine log with the refusal.
    public var rejectedMessage: String?

    public init(conn: Int, burst: Int, defaultConnDelay: Double, onlyUseDefaultDelay: Bool = false,
                key: [KeyPart], rejectedMessage: String? = nil) {
        self.conn = conn
        self.burst = burst
        self.defaultConnDelay = defaultConnDelay
        self.onlyUseDefaultDelay = onlyUseDefaultDelay
        self.key = key
        self.rejectedMessage = rejectedMessage
    }

    static func decode(_ r: inout FieldReader) -> LimitConnConfig? {
        let conn = number(&r, "conn", integer: true, allowZero: false)
        let burst = number(&r, "burst", integer: true, allowZero: true)
        let delay = number(&r, "default_conn_delay", integer: false, allowZero: false)
        let onlyDefault = r.bool("only_use_default_delay") ?? false
        let keyType = r.oneOf("key_type", ["var", "var_combination"]) ?? "var"
        let keyText = r.string("key", required: true)
        var key: [KeyPart]?
        if let keyText {
            key = parseKey(keyText, combination: keyType == "var_combination") { message in r.report("key", message) }
        }
        if let code = r.int("rejected_code", in: 200...599), code != 503 {
            r.report("rejected_code", "a stream connection beyond the limit is refused with status 503; got \(code)")
        }
        let message = r.string("rejected_msg")
        if message?.isEmpty == true { r.report("rejected_msg", "must not be empty") }
        _ = r.bool("allow_degradation")  // Sluice's counters cannot fail, so there is nothing to degrade from.
        if let policy = r.string("policy"), policy != "local" {
            r.report("policy", "only \"local\" is supported (counting within this Sluice), got \"\(policy)\"")
        }
        r.rejectUnknownFields()
        guard let conn, let burst, let delay, let key else { return nil }
        return LimitConnConfig(conn: Int(conn), burst: Int(burst), defaultConnDelay: delay,
                               onlyUseDefaultDelay: onlyDefault, key: key, rejectedMessage: message)
    }

    /// A required number: an integer when `integer`, > 0 unless `allowZero` (then >= 0).
    private static func number(_ r: inout FieldReader, _ key: String, integer: Bool, allowZero: Bool) -> Double? {
        guard let v = r.required(key) else { return nil }
        let d: Double
        switch v.kind {
        case .int(let i): d = Double(i)
        case .double(let x) where !integer || (x == x.rounded() && abs(x) < 1e15): d = x
        default:
            r.report(key, "must be \(integer ? "an integer" : "a number"), got \(v.typeName)")
            return nil
        }
        guard d.isFinite, allowZero ? d >= 0 : d > 0 else {
            r.report(key, "must be \(allowZero ? ">= 0" : "> 0"), got \(v.shortDescription)")
            return nil
        }
        return d
    }

    /// `remote_addr` (one variable) or, for a combination, `"$remote_addr $server_port"` (variables and text).
    static func parseKey(_ text: String, combination: Bool, report: (String) -> Void) -> [KeyPart]? {
        guard combination else {
            guard variables.contains(text) else {
                report("must be one of \(variables.joined(separator: ", ")), got \"\(text)\"")
                return nil
            }
            return [.variable(text)]
        }
        var parts: [KeyPart] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            if dollar > rest.startIndex { parts.append(.literal(String(rest[..<dollar]))) }
            let nameStart = rest.index(after: dollar)
            let nameEnd = rest[nameStart...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
            let name = String(rest[nameStart..<nameEnd])
            guard variables.contains(name) else {
                report("unknown variable \"$\(name)\" (known: \(variables.joined(separator: ", ")))")
                return nil
            }
            parts.append(.variable(name))
            rest = rest[nameEnd...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        guard parts.contains(where: { if case .variable = $0 { true } else { false } }) else {
            report("must name at least one $variable, got \"\(text)\"")
            return nil
        }
        return parts
    }
}
