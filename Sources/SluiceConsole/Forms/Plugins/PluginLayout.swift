/// The structured fields of one stream plugin in the route and service forms (nested parts as JSON fields). A plugin
/// without a layout is edited as raw JSON; giving one structured fields is a file with a `PluginLayout` and its
/// line in `PluginLayout.all`.
/// Whatever the form shows, the value goes through the same configuration decoder as the Admin API's (the form
/// never validates a plugin itself), and fields it does not show (`rejected_msg` …) are kept as stored.
struct PluginLayout {
    /// How one field reads and writes its value.
    enum Kind {
        /// An integer or a decimal.
        case number
        /// A string.
        case text
        /// A list of strings, comma-separated on screen, always a list in the document.
        case list
        /// One of the strings (the empty one leaves the field out: the plugin's default).
        case choice([String])
        /// A boolean: `true`, `false`, or empty for the default.
        case flag
        /// A nested part (an object or a list) as JSON text; errors inside it land beside it.
        case json
    }

    /// One field of the plugin's configuration.
    struct Field {
        var key: String
        var label: String
        var kind: Kind
        var hint: String

        init(_ key: String, _ label: String, _ kind: Kind = .text, hint: String = "") {
            self.key = key
            self.label = label
            self.kind = kind
            self.hint = hint
        }
    }

    var name: String
    var fields: [Field]

    /// The plugins with structured fields.
    static let all: [PluginLayout] = [.ipRestriction, .limitConn, .mqttProxy, .trafficSplit, .prometheus, .syslog,
                                      .limitBandwidth]

    static func named(_ name: String) -> PluginLayout? { all.first { $0.name == name } }
}
