import Yams

/// One thing wrong with a configuration: where (file, line, field path) and why.
///
/// Rendered as `gateway.yaml:14: stream_routes[2].upstream.nodes[1].port: must be 1…65535, got 70000`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var path: String
    public var message: String

    public init(file: String? = nil, line: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(line.map { "\(file):\($0)" } ?? file) }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The error without its file and line, as the Admin API shows it (`<path>: <why>`).
    public var fieldMessage: String { path.isEmpty ? message : "\(path): \(message)" }

    static func yamlSyntax(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let why = [context.map { "\($0.text)" }, problem].compactMap { $0 }.joined(separator: " ")
            return ConfigError(file: file, line: mark.line, path: "", message: "invalid YAML: \(why)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(file: file, line: context.mark.line, path: "",
                               message: "invalid YAML: duplicate key \(duplicates.joined(separator: ", "))")
        default:
            return ConfigError(file: file, line: nil, path: "", message: "invalid YAML: \(error)")
        }
    }
}

/// All the errors found in one configuration (validation reports every error, not the first).
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
