/// Collects the errors of one decoding pass; readers of nested objects share it.
public final class Problems {
    public private(set) var errors: [ConfigError] = []
    /// The file being decoded (nil for Admin API bodies).
    public let file: String?

    public init(file: String?) { self.file = file }

    public func add(_ path: String, _ message: String, line: Int?) {
        errors.append(ConfigError(file: file, line: line, path: path, message: message))
    }

    public var isEmpty: Bool { errors.isEmpty }
}

/// Field paths as operators read them: `stream_routes[2].upstream.nodes[1].port`.
enum FieldPath {
    static func join(_ base: String, _ key: String) -> String { base.isEmpty ? key : "\(base).\(key)" }
    static func index(_ base: String, _ i: Int) -> String { "\(base)[\(i)]" }
}
