import Foundation
import SluiceConfig

/// A `vars` expression (`VarsExpression`) ready to evaluate per connection: its regular expressions compiled once,
/// when the snapshot is. Evaluation follows lua-resty-expr: a value that is no number fails every numeric test, an
/// absent variable fails every test but `== null` (and the negated ones).
struct VarsMatcher: Sendable {
    private indirect enum Node: Sendable {
        case all([Node])
        case any([Node])
        case not(Node)
        case leaf(variable: String, test: Test, negated: Bool)
    }

    private enum Test: Sendable {
        case equals(VarsExpression.Operand)
        case order(VarsExpression.Order, Double)
        case regex(Pattern?)
        case member([VarsExpression.Operand])
        case ipMatch([CIDR])
    }

    /// A compiled regular expression. NSRegularExpression is immutable and safe to use from any thread.
    private struct Pattern: @unchecked Sendable {
        let regex: NSRegularExpression
    }

    private let root: Node

    init(_ expression: VarsExpression) {
        root = Self.node(expression)
    }

    /// Whether the expression holds for the variables `value(name)` gives (nil: the session has no such variable).
    func holds(_ value: (String) -> String?) -> Bool {
        Self.eval(root, value)
    }

    private static func node(_ e: VarsExpression) -> Node {
        switch e {
        case .all(let parts): return .all(parts.map(node))
        case .any(let parts): return .any(parts.map(node))
        case .not(let inner): return .not(node(inner))
        case .comparison(let c):
            let test: Test = switch c.test {
            case .equals(let o): .equals(o)
            case .order(let order, let bound): .order(order, bound)
            // The decoder compiled the same pattern; a failure here cannot happen, and would never match.
            case .regex(let pattern, let caseInsensitive):
                .regex((try? NSRegularExpression(pattern: pattern,
                                                 options: caseInsensitive ? [.caseInsensitive] : []))
                    .map(Pattern.init))
            case .member(let items): .member(items)
            case .ipMatch(let blocks): .ipMatch(blocks)
            }
            return .leaf(variable: c.variable, test: test, negated: c.negated)
        }
    }

    private static func eval(_ node: Node, _ value: (String) -> String?) -> Bool {
        switch node {
        case .all(let parts): parts.allSatisfy { eval($0, value) }
        case .any(let parts): parts.contains { eval($0, value) }
        case .not(let inner): !eval(inner, value)
        case .leaf(let variable, let test, let negated): passes(test, value(variable)) != negated
        }
    }

    private static func passes(_ test: Test, _ v: String?) -> Bool {
        switch test {
        case .equals(let operand): return equals(v, operand)
        case .order(let order, let bound):
            guard let x = v.flatMap(Double.init) else { return false }
            switch order {
            case .greater: return x > bound
            case .greaterOrEqual: return x >= bound
            case .less: return x < bound
            case .lessOrEqual: return x <= bound
            }
        case .regex(let pattern):
            guard let v, let pattern else { return false }
            return pattern.regex.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil
        case .member(let items):
            return v != nil && items.contains { equals(v, $0) }
        case .ipMatch(let blocks):
            guard let ip = v.flatMap(IPAddress.init) else { return false }
            return blocks.contains { $0.contains(ip) }
        }
    }

    private static func equals(_ v: String?, _ operand: VarsExpression.Operand) -> Bool {
        switch operand {
        case .null: v == nil
        case .string(let s): v == s
        case .number(let n): v.flatMap(Double.init) == n
        }
    }
}
