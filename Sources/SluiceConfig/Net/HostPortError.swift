/// Why a `"host:port"` text was rejected; `description` is the message shown to the user,
/// written to follow a field name (`admin.listen: must be 1…65535, got 70000`).
public enum HostPortError: Sendable, Error, Hashable, CustomStringConvertible {
    /// No `:port` at all, or nothing after the colon; carries the whole text.
    case missingPort(String)
    /// The port is not a plain decimal number; carries the port text.
    case portNotANumber(String)
    /// The port is a number outside 1…65535; carries the port text.
    case portOutOfRange(String)
    /// Nothing before the colon; carries the whole text.
    case emptyHost(String)
    /// An IPv6 host without brackets, unbalanced brackets, or brackets around something not IPv6;
    /// carries the whole text.
    case badIPv6Brackets(String)

    /// The human message, e.g. `must be 1…65535, got 70000`.
    public var description: String {
        switch self {
        case .missingPort(let text):
            "must be \"host:port\", got \"\(text)\" (no port)"
        case .portNotANumber(let port):
            "must be a port number 1…65535, got \"\(port)\""
        case .portOutOfRange(let port):
            "must be 1…65535, got \(port)"
        case .emptyHost(let text):
            "must be \"host:port\", got \"\(text)\" (empty host)"
        case .badIPv6Brackets(let text):
            "must be \"host:port\" with an IPv6 host in brackets, like \"[::1]:80\", got \"\(text)\""
        }
    }
}
