import CYaml

/// Checks a YAML text on libyaml's event stream before any tree is built: anchors and aliases are refused
/// (an alias "bomb" of a few hundred bytes expands to gigabytes once a tree is built from it), and the size, node
/// count and nesting depth are bounded, so a document costs time and memory in proportion to its bytes and
/// cannot exhaust the stack of the recursive composer.
///
/// Syntax errors are left to the composer that runs next, which reports them with their line. libyaml comes from
/// Yams' C module `CYaml`: not a product of Yams, but SwiftPM makes the C modules of dependencies visible.
enum YAMLPreflight {
    /// The largest document accepted, in bytes.
    static let maxBytes = 32 * 1_048_576
    /// The most nodes (scalars, lists and mappings) a document may have.
    static let maxNodes = 2_000_000
    /// The deepest nesting of lists and mappings (the JSON parser's bound too); the composer recurses per level.
    static let maxDepth = 64

    /// - Throws: `ConfigError` (with the line) for the first anchor or alias, a document over `maxBytes`, one with
    ///   more than `maxNodes` nodes or nested deeper than `maxDepth`.
    static func check(_ text: String, file: String) throws(ConfigError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxBytes else {
            throw ConfigError(file: file, line: nil, path: "",
                              message: "document too large: at most \(maxBytes) bytes, got \(bytes.count)")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw ConfigError(file: file, line: nil, path: "", message: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { (buffer) throws(ConfigError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var nodes = 0
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_ALIAS_EVENT:
                    throw ConfigError(file: file, line: line, path: "",
                                      message: "YAML aliases (*name) are not supported; write the value out")
                case YAML_SCALAR_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    if Self.anchor(of: event) != nil {
                        throw ConfigError(file: file, line: line, path: "",
                                          message: "YAML anchors (&name) are not supported; write the value out")
                    }
                    nodes += 1
                    if nodes > maxNodes {
                        throw ConfigError(file: file, line: line, path: "",
                                          message: "document too large: at most \(maxNodes) nodes")
                    }
                    if event.type != YAML_SCALAR_EVENT {
                        depth += 1
                        if depth > maxDepth {
                            throw ConfigError(file: file, line: line, path: "",
                                              message: "nested too deeply: at most \(maxDepth) levels")
                        }
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                default:
                    continue
                }
            }
        }
    }

    private static func anchor(of event: yaml_event_t) -> UnsafeMutablePointer<yaml_char_t>? {
        switch event.type {
        case YAML_SCALAR_EVENT: event.data.scalar.anchor
        case YAML_SEQUENCE_START_EVENT: event.data.sequence_start.anchor
        case YAML_MAPPING_START_EVENT: event.data.mapping_start.anchor
        default: nil
        }
    }
}
