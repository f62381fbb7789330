/// Reads the fields of one mapping, reporting every wrong field to `Problems` with its path and line.
///
/// Each accessor marks its key as known; `rejectUnknownFields()` then reports the rest.
struct FieldReader {
    let value: ConfigValue
    let path: String
    let problems: Problems
    private var known: Set<String> = []

    /// Fails (and reports) when `value` is not a mapping.
    init?(_ value: ConfigValue, path: String, problems: Problems) {
        guard value.entries != nil else {
            problems.add(path, "must be an object, got \(value.typeName)", line: value.line)
            return nil
        }
        self.value = value
        self.path = path
        self.problems = problems
    }

    func child(_ key: String) -> String { FieldPath.join(path, key) }

    func line(of key: String) -> Int? { value[key]?.line ?? value.line }

    func report(_ key: String, _ message: String) {
        problems.add(child(key), message, line: line(of: key))
    }

    /// The raw value of a field; null counts as absent.
    mutating func raw(_ key: String) -> ConfigValue? {
        known.insert(key)
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    /// Marks fields that are accepted as they are (APISIX fields Sluice stores but does not interpret).
    mutating func accept(_ keys: String...) {
        for key in keys { known.insert(key) }
    }

    mutating func required(_ key: String) -> ConfigValue? {
        guard let v = raw(key) else {
            problems.add(child(key), "is required", line: value.line)
            return nil
        }
        return v
    }

    mutating func string(_ key: String, required isRequired: Bool = false, maxLength: Int = 4096) -> String? {
        guard let v = isRequired ? required(key) : raw(key) else { return nil }
        guard let s = v.stringValue else {
            report(key, "must be a string, got \(v.typeName)")
            return nil
        }
        if s.count > maxLength {
            report(key, "must be at most \(maxLength) characters, got \(s.count)")
            return nil
        }
        return s
    }

    /// The range of `priority` fields (a 32-bit signed integer, as APISIX stores it).
    static let priorityRange = Int(Int32.min)...Int(Int32.max)

    /// An integer within `range`: every integer field has one, named in the error.
    mutating func int(_ key: String, in range: ClosedRange<Int>, required isRequired: Bool = false) -> Int? {
        guard let v = isRequired ? required(key) : raw(key) else { return nil }
        return Self.int(v, range: range) { report(key, $0) }
    }

    static func int(_ v: ConfigValue, range: ClosedRange<Int>, report: (String) -> Void) -> Int? {
        let i: Int
        switch v.kind {
        case .int(let x): i = x
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: i = Int(d)
        case .double(let d) where d.isFinite && d == d.rounded():
            report("must be \(describe(range)), got \(v.shortDescription)")
            return nil
        default:
            report("must be an integer, got \(v.typeName)")
            return nil
        }
        if !range.contains(i) {
            report("must be \(describe(range)), got \(i)")
            return nil
        }
        return i
    }

    static func describe(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound)…\(range.upperBound)" }

    /// The longest duration any field accepts: one year, in seconds. Durations meet NIO as nanoseconds in an
    /// `Int64`, which a bound this size keeps far from overflowing.
    static let maxSeconds: Double = 31_536_000

    /// A number of seconds (integer or decimal), greater than zero unless `allowZero`, at most `maxSeconds`.
    mutating func seconds(_ key: String, allowZero: Bool = false) -> Double? {
        guard let v = raw(key) else { return nil }
        let d: Double
        switch v.kind {
        case .int(let i): d = Double(i)
        case .double(let x): d = x
        default:
            report(key, "must be a number of seconds, got \(v.typeName)")
            return nil
        }
        let max = Int(Self.maxSeconds)
        guard d.isFinite, d <= Self.maxSeconds, allowZero ? d >= 0 : d > 0 else {
            report(key, allowZero ? "must be 0…\(max) seconds, got \(v.shortDescription)"
                : "must be more than 0 and at most \(max) seconds, got \(v.shortDescription)")
            return nil
        }
        return d
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v.kind else {
            report(key, "must be true or false, got \(v.typeName)")
            return nil
        }
        return b
    }

    mutating func oneOf(_ key: String, _ allowed: [String], required isRequired: Bool = false) -> String? {
        guard let s = string(key, required: isRequired) else { return nil }
        guard allowed.contains(s) else {
            report(key, "must be one of \(allowed.joined(separator: ", ")), got \"\(s)\"")
            return nil
        }
        return s
    }

    /// A string or a list of strings (Sluice accepts lists where APISIX takes one value).
    mutating func stringOrList(_ key: String) -> [(String, Int?)]? {
        guard let v = raw(key) else { return nil }
        switch v.kind {
        case .string(let s): return [(s, v.line)]
        case .list(let items):
            var out: [(String, Int?)] = []
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue else {
                    problems.add(FieldPath.index(child(key), i), "must be a string, got \(item.typeName)",
                                 line: item.line ?? v.line)
                    continue
                }
                out.append((s, item.line ?? v.line))
            }
            return out
        default:
            report(key, "must be a string or a list of strings, got \(v.typeName)")
            return nil
        }
    }

    /// An object id: a string or an integer, 1…64 characters of `[a-zA-Z0-9-_.]` (APISIX's rule), not `.` or `..`.
    mutating func id(_ key: String, required isRequired: Bool = false) -> String? {
        guard let v = isRequired ? required(key) : raw(key) else { return nil }
        return Self.id(v) { report(key, $0) }
    }

    static func id(_ v: ConfigValue, report: (String) -> Void) -> String? {
        let s: String
        switch v.kind {
        case .string(let x): s = x
        case .int(let i): s = String(i)
        default:
            report("must be a string or an integer, got \(v.typeName)")
            return nil
        }
        let allowed = s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        guard !s.isEmpty, s.count <= 64, allowed else {
            report("must be 1…64 characters of a-z A-Z 0-9 - _ ., got \"\(s)\"")
            return nil
        }
        guard s != ".", s != ".." else {
            report("must not be \"\(s)\" (it names a path, not an object)")
            return nil
        }
        return s
    }

    /// Reports every field not read or accepted.
    func rejectUnknownFields() {
        for entry in value.entries ?? [] where !known.contains(entry.key) {
            problems.add(child(entry.key), "unknown field", line: entry.value.line ?? value.line)
        }
    }
}
