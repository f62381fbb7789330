/// One directive of an nginx configuration: its name, arguments, block (for `upstream x { … }`) and location.
/// `include`s are already replaced by the directives of the files they name.
public struct NginxDirective: Sendable, Equatable {
    public var name: String
    public var args: [String]
    /// The directives inside `{ … }`, nil for a simple directive ending in `;`.
    public var block: [NginxDirective]?
    public var location: SourceLocation

    public init(name: String, args: [String] = [], block: [NginxDirective]? = nil, location: SourceLocation) {
        self.name = name
        self.args = args
        self.block = block
        self.location = location
    }

    /// The text of the directive as written, without its block (`proxy_timeout 10s`), for messages.
    public var text: String { ([name] + args).joined(separator: " ") }
}
