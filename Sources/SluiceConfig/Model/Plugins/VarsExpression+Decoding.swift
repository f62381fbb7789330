import Foundation

extension VarsExpression {
    /// The operators lua-resty-expr knows, lower case (operators are read case-insensitively).
    static let operators = ["==", "~=", ">", ">=", "<", "<=", "~~", "~*", "in", "has", "ipmatch"]
    private static let logicOperators = ["AND", "OR", "!AND", "!OR"]

    /// Decodes a `vars` value as lua-resty-expr's `new` does, but refuses at load time what APISIX would only find
    /// never holding at run time (an unknown variable, a regex that does not compile, a non-numeric bound, `has`,
    /// which needs a list variable that streams do not have). Every error names its element:
    /// `….match[0].vars[1][1]: invalid operator "=~" …`.
    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> VarsExpression? {
        guard case .list(let items) = value.kind else {
            problems.add(path, "must be a list of expressions ([[variable, operator, value], …]), got "
                         + value.typeName, line: value.line)
            return nil
        }
        guard let first = items.first else { return .all([]) }
        if let word = first.stringValue, !logicOperators.contains(word.uppercased()) {
            problems.add(path, "rule should be wrapped inside brackets: write [[\"\(word)\", …]], a list of "
                         + "expressions", line: value.line)
            return nil
        }
        return expression(value, path: path, problems: problems)
    }

    /// lua-resty-expr's `compile`: a list of expressions (all hold), a logic operator with its operands, or one
    /// comparison.
    private static func expression(_ value: ConfigValue, path: String, problems: Problems) -> VarsExpression? {
        guard case .list(let items) = value.kind else {
            problems.add(path, "must be an expression ([variable, operator, value] or [\"OR\", …]), got "
                         + value.typeName, line: value.line)
            return nil
        }
        guard let first = items.first else {
            problems.add(path, "must not be empty (rule too short)", line: value.line)
            return nil
        }
        if case .list = first.kind {
            return operands(items, from: 0, path: path, problems: problems).map(VarsExpression.all)
        }
        guard let word = first.stringValue, logicOperators.contains(word.uppercased()) else {
            return comparison(items, path: path, line: value.line, problems: problems).map(VarsExpression.comparison)
        }
        guard items.count >= 3 else {
            problems.add(path, "\"\(word)\" needs at least two expressions after it (rule too short)", line: value.line)
            return nil
        }
        guard let parts = operands(items, from: 1, path: path, problems: problems) else { return nil }
        switch word.uppercased() {
        case "AND": return .all(parts)
        case "OR": return .any(parts)
        case "!AND": return .not(.all(parts))
        default: return .not(.any(parts))
        }
    }

    private static func operands(_ items: [ConfigValue], from start: Int, path: String,
                                 problems: Problems) -> [VarsExpression]? {
        var out: [VarsExpression] = []
        var valid = true
        for i in start..<items.count {
            if let e = expression(items[i], path: FieldPath.index(path, i), problems: problems) { out.append(e) } else {
                valid = false
            }
        }
        return valid ? out : nil
    }

    /// `[variable, operator, value]`, `[variable, "!", operator, value]` or `[variable, value]`.
    private static func comparison(_ items: [ConfigValue], path: String, line: Int?,
                                   problems: Problems) -> Comparison? {
        func fail(_ at: Int?, _ message: String) -> Comparison? {
            let elementPath = at.map { FieldPath.index(path, $0) } ?? path
            problems.add(elementPath, message, line: at.flatMap { items[$0].line } ?? line)
            return nil
        }
        var negated = false
        let opIndex: Int
        switch items.count {
        case 4:
            guard items[1].stringValue == "!" else {
                return fail(1, "bad 'not' expression: four elements read [variable, \"!\", operator, value]")
            }
            negated = true
            opIndex = 2
        case 3:
            opIndex = 1
        case 2:
            // lua-resty-expr's short form: [variable, value] compares with `==`.
            if let word = items[1].stringValue, operators.contains(word.lowercased()) {
                return fail(nil, "invalid expression: operator \"\(word)\" needs a value after it")
            }
            opIndex = 0
        default:
            return fail(nil, "invalid expression: write [variable, operator, value] or [variable, \"!\", operator, "
                        + "value], got \(items.count) element\(items.count == 1 ? "" : "s")")
        }
        guard let variable = items[0].stringValue else {
            return fail(0, "must be a variable name, got \(items[0].typeName)")
        }
        guard variables.contains(variable) else {
            return fail(0, "unknown variable \"\(variable)\" (stream variables: \(variables.joined(separator: ", ")))")
        }
        let op: String
        if opIndex == 0 {
            op = "=="
        } else {
            guard let word = items[opIndex].stringValue, operators.contains(word.lowercased()) else {
                return fail(opIndex, "invalid operator \(items[opIndex].shortDescription) (one of "
                            + "\(operators.joined(separator: " ")), optionally after \"!\")")
            }
            op = word.lowercased()
        }
        let valueIndex = opIndex + 1
        let value = items[valueIndex]
        let report = { (message: String) in _ = fail(valueIndex, message) }
        guard let test = test(op, value, report: report) else { return nil }
        return Comparison(variable: variable, test: test, negated: op == "~=" ? !negated : negated)
    }

    private static func test(_ op: String, _ value: ConfigValue, report: (String) -> Void) -> Test? {
        switch op {
        case "==", "~=":
            return operand(value, allowNull: true, report: report).map(Test.equals)
        case ">", ">=", "<", "<=":
            let bound: Double? = switch value.kind {
            case .int(let i): Double(i)
            case .double(let d): d
            case .string(let s): Double(s)
            default: nil
            }
            guard let bound, bound.isFinite, let order = Order(rawValue: op) else {
                report("\(op) compares numbers: must be a number, got \(value.shortDescription)")
                return nil
            }
            return .order(order, bound)
        case "~~", "~*":
            guard let pattern = value.stringValue else {
                report("\(op) needs a regular expression (a string), got \(value.typeName)")
                return nil
            }
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                report("is not a valid regular expression: \(pattern)")
                return nil
            }
            return .regex(pattern: pattern, caseInsensitive: op == "~*")
        case "in":
            guard case .list(let items) = value.kind, !items.isEmpty else {
                report("in needs a non-empty list of strings or numbers, got \(value.typeName)")
                return nil
            }
            var out: [Operand] = []
            for item in items {
                guard let o = operand(item, allowNull: false, report: report) else { return nil }
                out.append(o)
            }
            return .member(out)
        case "ipmatch":
            let texts: [ConfigValue] = if case .list(let items) = value.kind { items } else { [value] }
            var blocks: [CIDR] = []
            for text in texts {
                guard let s = text.stringValue, let block = CIDR(s) else {
                    report("ipmatch needs IP addresses or CIDRs, got \(text.shortDescription)")
                    return nil
                }
                blocks.append(block)
            }
            guard !blocks.isEmpty else {
                report("ipmatch needs at least one IP address or CIDR")
                return nil
            }
            return .ipMatch(blocks)
        default: // "has"
            report("has tests a list variable, and no stream variable is a list: it could never hold")
            return nil
        }
    }

    private static func operand(_ value: ConfigValue, allowNull: Bool, report: (String) -> Void) -> Operand? {
        switch value.kind {
        case .string(let s): return .string(s)
        case .int(let i): return .number(Double(i))
        case .double(let d) where d.isFinite: return .number(d)
        case .null where allowNull: return .null
        default:
            report("must be a string\(allowNull ? ", a number or null" : " or a number"), got \(value.typeName)")
            return nil
        }
    }
}
