/// A configuration value as read from YAML or JSON, before it is decoded into the model.
///
/// Keeps the source line of every node (YAML only) so that errors can say where they are,
/// and keeps mapping order so that writing a document back preserves the operator's layout.
public struct ConfigValue: Sendable, Equatable {
    /// The shape of a value.
    public enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([ConfigValue])
        case map([ConfigEntry])
    }

    public var kind: Kind
    /// 1-based line in the source file, when the value came from a file.
    public var line: Int?

    public init(_ kind: Kind, line: Int? = nil) {
        self.kind = kind
        self.line = line
    }

    public static let null = ConfigValue(.null)
    public static func string(_ s: String) -> ConfigValue { ConfigValue(.string(s)) }
    public static func int(_ i: Int) -> ConfigValue { ConfigValue(.int(i)) }
    public static func bool(_ b: Bool) -> ConfigValue { ConfigValue(.bool(b)) }
    public static func list(_ l: [ConfigValue]) -> ConfigValue { ConfigValue(.list(l)) }
    public static func map(_ entries: [(String, ConfigValue)]) -> ConfigValue {
        ConfigValue(.map(entries.map { ConfigEntry(key: $0.0, value: $0.1) }))
    }

    /// Equality ignores source lines: two documents that say the same thing are equal.
    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool { lhs.kind == rhs.kind }

    /// The entries of a mapping, or nil.
    public var entries: [ConfigEntry]? {
        if case .map(let e) = kind { return e }
        return nil
    }

    /// The value under `key` in a mapping.
    public subscript(key: String) -> ConfigValue? {
        get { entries?.first { $0.key == key }?.value }
        set {
            guard case .map(var e) = kind else { return }
            if let i = e.firstIndex(where: { $0.key == key }) {
                if let newValue { e[i].value = newValue } else { e.remove(at: i) }
            } else if let newValue {
                e.append(ConfigEntry(key: key, value: newValue))
            }
            kind = .map(e)
        }
    }

    public var isNull: Bool { if case .null = kind { return true }; return false }

    public var stringValue: String? { if case .string(let s) = kind { return s }; return nil }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "an object"
        }
    }

    /// The value as text in an error message (`70000`, `"abc"`).
    public var shortDescription: String {
        switch kind {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        case .list: "a list"
        case .map: "an object"
        }
    }
}

/// One key and value of a mapping, with the line of the key.
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public init(key: String, value: ConfigValue) {
        self.key = key
        self.value = value
    }
}
