/// A `vars` expression of APISIX (lua-resty-expr v1) over the stream variables of a connection, as traffic-split's
/// `rules[].match[].vars` writes it: `[["remote_addr", "ipmatch", "10.0.0.0/8"], ["server_port", "==", 9100]]`.
///
/// A list of expressions holds when every one does; `["OR", e1, e2 …]`, `["AND", …]`, `["!OR", …]`, `["!AND", …]`
/// combine explicitly (nested freely); the empty list always holds. A variable that the connection does not have
/// (no TLS server name, no MQTT client id) is absent: only `["ssl_server_name", "==", null]` and the negated tests
/// hold for it, as in APISIX.
public indirect enum VarsExpression: Sendable, Equatable {
    /// Every one holds (a plain list, or `["AND", …]`); `.all([])` always holds.
    case all([VarsExpression])
    /// At least one holds (`["OR", …]`).
    case any([VarsExpression])
    /// `["!AND", …]` and `["!OR", …]`.
    case not(VarsExpression)
    /// `[variable, operator, value]`, `[variable, "!", operator, value]`, or `[variable, value]` (`==`).
    case comparison(Comparison)

    /// The variables an expression may name: what a stream connection has when its upstream is chosen.
    public static let variables = LimitConnConfig.variables + ["route_id", "mqtt_client_id"]

    /// One test of one variable.
    public struct Comparison: Sendable, Equatable {
        public var variable: String
        public var test: Test
        /// Written with `"!"` before the operator, or as `~=`: holds exactly when the test does not.
        public var negated: Bool

        public init(variable: String, test: Test, negated: Bool = false) {
            self.variable = variable
            self.test = test
            self.negated = negated
        }
    }

    /// What a comparison asks of the variable's value.
    public enum Test: Sendable, Equatable {
        /// `==` (and `~=` negated): a string equal as text, a number equal as a number, null: the variable is absent.
        case equals(Operand)
        /// `>`, `>=`, `<`, `<=`: both sides as numbers; a value that is no number never holds.
        case order(Order, Double)
        /// `~~` (PCRE-like, case-sensitive) and `~*` (case-insensitive): the pattern is found in the value.
        case regex(pattern: String, caseInsensitive: Bool)
        /// `in`: the value equals one of the items (strings as text, numbers as numbers).
        case member([Operand])
        /// `ipmatch`: the value is an address inside one of the blocks.
        case ipMatch([CIDR])
    }

    /// A literal the variable is compared with.
    public enum Operand: Sendable, Equatable {
        case string(String)
        case number(Double)
        /// JSON null: the variable is absent.
        case null
    }

    /// A numeric comparison.
    public enum Order: String, Sendable, Equatable {
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
    }
}
