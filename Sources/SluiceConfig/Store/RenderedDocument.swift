/// The data file's text, `config.document().yamlText()`, rendered object by object and kept, so that a change
/// renders only the objects it touched (rendering 10,000 routes whole took seconds).
///
/// The document's top level is a block mapping whose lists are written without indentation (`stream_routes:`
/// then `- id: …` at column 0), the same text as each object rendered alone as a one-item list; every other
/// top-level entry is the same text as a one-entry mapping of it. So the whole text is the kinds' keys and the
/// objects' texts, concatenated. A kept text is reused only for an equal object (`ConfigValue` equality, which
/// ignores source lines, as rendering does); for an object carried over unchanged that comparison is a pointer
/// check, its arrays being the same storage.
struct RenderedDocument: Sendable {
    /// An object and its text.
    private struct Rendered: Sendable {
        var value: ConfigValue
        var text: String
    }

    /// Per kind, its objects in document order, as last rendered.
    private var objects: [ResourceKind: [Rendered]] = [:]
    /// The other top-level entries, by key.
    private var others: [String: Rendered] = [:]

    /// The text of `config.document()`, as `yamlText()` writes it.
    mutating func text(of config: GatewayConfig) -> String {
        var out = ""
        for kind in ResourceKind.allCases {
            let values = config.documents(kind).map(\.raw)
            guard !values.isEmpty else {
                objects[kind] = nil
                continue
            }
            let rendered = Self.reuse(objects[kind] ?? [], for: values)
            out += kind.rawValue + ":\n"
            for object in rendered { out += object.text }
            objects[kind] = rendered
        }
        var kept: [String: Rendered] = [:]
        for entry in config.otherSections {
            let value = ConfigValue.map([(entry.key, entry.value)])
            let object = others[entry.key].flatMap { $0.value == value ? $0 : nil }
                ?? Rendered(value: value, text: value.yamlText())
            kept[entry.key] = object
            out += object.text
        }
        others = kept
        return out.isEmpty ? ConfigValue.map([]).yamlText() : out
    }

    /// `values` rendered as one-item lists, reusing what `previous` has for equal ones: at the same position
    /// first (a put keeps positions, a create appends), else by id among the rest (a delete shifts them).
    private static func reuse(_ previous: [Rendered], for values: [ConfigValue]) -> [Rendered] {
        var byID: [String: [Rendered]]?
        return values.enumerated().map { i, value in
            if i < previous.count {
                if previous[i].value == value { return previous[i] }
                let index = byID ?? Dictionary(grouping: previous) { $0.value.identity }
                byID = index
                if let found = index[value.identity]?.first(where: { $0.value == value }) { return found }
            }
            return Rendered(value: value, text: ConfigValue.list([value]).yamlText())
        }
    }
}

private extension ConfigValue {
    /// A cheap key for finding an object among others: its `id`, when it has one.
    var identity: String { self["id"]?.stringValue ?? "" }
}
