import Yams

extension ConfigValue {
    /// Parses one YAML document. An empty document is an empty mapping. Anchors and aliases are refused, and
    /// the size bounded, before a tree is built (`YAMLPreflight`).
    /// - Throws: `ConfigError` with the line of a syntax error.
    public static func parseYAML(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
        try YAMLPreflight.check(text, file: file)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError.yamlSyntax(error, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, path: "", message: "cannot parse YAML: \(error)")
        }
        guard let node else { return ConfigValue(.map([]), line: 1) }
        return try ConfigValue(yaml: node, file: file)
    }

    private init(yaml node: Node, file: String) throws(ConfigError) {
        let line = node.mark.map { $0.line }
        switch node {
        case .scalar(let scalar):
            self.init(Self.resolve(scalar: scalar, node: node), line: line)
        case .sequence(let seq):
            var items: [ConfigValue] = []
            for child in seq { items.append(try ConfigValue(yaml: child, file: file)) }
            self.init(.list(items), line: line)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            var keys: Set<String> = []
            for (k, v) in mapping {
                guard case .scalar(let keyScalar) = k else {
                    throw ConfigError(file: file, line: k.mark?.line, path: "", message: "mapping keys must be scalars")
                }
                guard keys.insert(keyScalar.string).inserted else {
                    throw ConfigError(file: file, line: k.mark?.line, path: "",
                                      message: "duplicate key \"\(keyScalar.string)\"")
                }
                var value = try ConfigValue(yaml: v, file: file)
                if value.line == nil { value.line = k.mark?.line }
                entries.append(ConfigEntry(key: keyScalar.string, value: value))
            }
            self.init(.map(entries), line: line)
        case .alias:
            throw ConfigError(file: file, line: line, path: "", message: "YAML aliases are not supported")
        }
    }

    private static func resolve(scalar: Node.Scalar, node: Node) -> Kind {
        switch node.tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(Kind.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return node.int.map(Kind.int) ?? .string(scalar.string)
        case Tag.Name.float.rawValue: return node.float.map(Kind.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// Renders the value as a YAML document.
    public func yamlText() -> String {
        let text = (try? Yams.serialize(node: yamlNode(), indent: 2, width: -1, allowUnicode: true,
                                        sortKeys: false)) ?? ""
        return text
    }

    private func yamlNode() -> Node {
        switch kind {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .string(let s): return Node(s, Tag(.str), Self.needsQuotes(s) ? .doubleQuoted : .any)
        case .list(let items): return Node(items.map { $0.yamlNode() })
        case .map(let entries): return Node(entries.map { (Node($0.key, Tag(.str)), $0.value.yamlNode()) })
        }
    }

    /// Strings that YAML would read back as another type are quoted. Asking the parser costs a parse and
    /// Yams's seven resolver regexes per string (the bulk of rendering a big document), so the common names,
    /// ids and CIDRs that cannot be anything but a string are recognised first (`PlainString`).
    static func needsQuotes(_ s: String) -> Bool { PlainString.isCertain(s) ? false : parserNeedsQuotes(s) }

    /// `needsQuotes` by the parser alone: what YAML reads the string as.
    static func parserNeedsQuotes(_ s: String) -> Bool {
        guard let node = try? Yams.compose(yaml: s), case .scalar = node else { return true }
        return node.tag.rawValue != Tag.Name.str.rawValue || s.isEmpty
    }
}
