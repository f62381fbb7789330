import SluiceConfig

/// The plugins section of the route and service forms: per plugin a state row (enabled, disabled — APISIX's
/// `_meta.disable` — or remove), then its structured fields (`PluginLayout`) or one raw JSON row for any other
/// plugin; last a `+ plugin` row where typing a name and Enter adds one.
///
/// Field keys: `plugins.NAME` (state), `plugins.NAME.FIELD` (structured), `plugins.NAME#json` (raw), `plugins#add`.
/// The Store's errors land beside them by path (`plugins.limit-conn.conn`); a raw plugin's JSON row takes every
/// error under `plugins.NAME`, its state row those under `plugins.NAME._meta`.
enum PluginFields {
    static let enabled = "enabled"
    static let disabled = "disabled"
    static let remove = "remove"
    static let addKey = "plugins#add"

    /// The rows for the `plugins` object as stored (nil: none yet).
    static func fields(_ plugins: ConfigValue?) -> [FormField] {
        (plugins?.entries ?? []).flatMap { block(name: $0.key, config: $0.value) } + [addRow()]
    }

    private static func addRow() -> FormField {
        FormField(addKey, "+ plugin", value: "",
                  hint: "name + Enter: " + PluginLayout.all.map(\.name).joined(separator: ", ") + ", …")
    }

    /// One plugin's rows.
    static func block(name: String, config: ConfigValue) -> [FormField] {
        let prefix = "plugins.\(name)"
        let isDisabled = config.value(at: "_meta.disable")?.formText == "true"
        var state = FormField(prefix, name, .choice([enabled, disabled, remove]), value: isDisabled ? disabled : enabled,
                              hint: "_meta.disable · remove deletes it")
        guard let layout = PluginLayout.named(name) else {
            state.errorScope = prefix + "._meta"
            let text = config.entries?.isEmpty == true ? "" : jsonText(config)
            var raw = FormField(prefix + "#json", "  JSON", value: text, hint: "the plugin's configuration as JSON")
            raw.errorScope = prefix
            return [state, raw]
        }
        return [state] + layout.fields.map { f in
            let stored = config[f.key]
            let kind: FormField.Kind = switch f.kind {
            case .choice(let options): .choice(options)
            case .flag: .choice(["", "true", "false"])
            case .number, .text, .list, .json: .text
            }
            let text = if case .json = f.kind { stored.map { $0.jsonText() } ?? "" } else { stored?.formText ?? "" }
            return FormField("\(prefix).\(f.key)", "  " + f.label, kind, value: text, hint: f.hint)
        }
    }

    /// The configuration as the JSON row shows it: without `_meta.disable`, which the state row edits.
    private static func jsonText(_ config: ConfigValue) -> String {
        var shown = config
        shown.set("_meta.disable", nil)
        return shown.jsonText()
    }

    /// Enter on the `+ plugin` row: adds the named plugin's rows before it.
    /// - Returns: the row to focus next, or nil when `index` is not the add row.
    static func enter(_ fields: inout [FormField], at index: Int) -> Int? {
        guard fields.indices.contains(index), fields[index].key == addKey else { return nil }
        let name = fields[index].value.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return index + 1 }
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            fields[index].error = "a plugin name is lowercase letters, digits, - and _"
            return index
        }
        guard !fields.contains(where: { $0.key == "plugins.\(name)" }) else {
            fields[index].error = "\(name) is already configured above"
            return index
        }
        fields[index] = addRow()
        fields.insert(contentsOf: block(name: name, config: .map([])), at: index)
        return index + 1
    }

    /// Writes the plugins section into `doc["plugins"]`, keeping what the rows do not show; problems a row can
    /// see by itself (a number that is not one, JSON that does not parse) are set on it.
    static func apply(_ fields: inout [FormField], to doc: inout ConfigValue) {
        var plugins = doc["plugins"]?.entries != nil ? doc["plugins"] ?? .map([]) : .map([])
        for i in fields.indices {
            let key = fields[i].key
            guard key.hasPrefix("plugins."), !key.contains("#") else { continue }
            let name = String(key.dropFirst("plugins.".count))
            guard !name.contains(".") else { continue }
            if fields[i].value == remove {
                plugins[name] = nil
                continue
            }
            var config = plugins[name] ?? .map([])
            if let layout = PluginLayout.named(name) {
                for f in layout.fields {
                    guard let j = fields.firstIndex(where: { $0.key == "\(key).\(f.key)" }) else { continue }
                    config[f.key] = value(&fields[j], f.kind)
                }
            } else if let j = fields.firstIndex(where: { $0.key == key + "#json" }) {
                let meta = config["_meta"]
                guard let parsed = parseObject(&fields[j]) else { continue }
                config = parsed
                if config["_meta"] == nil, let meta { config["_meta"] = meta }
            }
            config.set("_meta.disable", fields[i].value == disabled ? .bool(true) : nil)
            plugins[name] = config
        }
        doc["plugins"] = plugins.entries?.isEmpty ?? true ? nil : plugins
    }

    private static func value(_ field: inout FormField, _ kind: PluginLayout.Kind) -> ConfigValue? {
        let text = field.value.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .number: return FormValues.number(&field)
        case .text, .choice: return FormValues.text(text)
        case .flag: return text.isEmpty ? nil : .bool(text == "true")
        case .list:
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return items.isEmpty ? nil : .list(items.map { .string($0) })
        case .json:
            return text.isEmpty ? nil : parseJSON(&field)
        }
    }

    /// The JSON row's text as an object (empty text: `{}`).
    private static func parseObject(_ field: inout FormField) -> ConfigValue? {
        if field.value.trimmingCharacters(in: .whitespaces).isEmpty { return .map([]) }
        guard let parsed = parseJSON(&field) else { return nil }
        guard parsed.entries != nil else {
            field.error = "must be a JSON object, got \(parsed.typeName)"
            return nil
        }
        return parsed
    }

    /// The field's text as a JSON value; nil (the error set on the field) when it does not parse.
    private static func parseJSON(_ field: inout FormField) -> ConfigValue? {
        do {
            return try ConfigValue.parseJSON(Array(field.value.trimmingCharacters(in: .whitespaces).utf8))
        } catch {
            field.error = "not JSON: \(error.message)"
            return nil
        }
    }

    /// `limit-conn, ip-restriction (off)` — the plugins of a route or service, for its list row.
    static func summary(_ plugins: ConfigValue?) -> String {
        (plugins?.entries ?? []).map { entry in
            entry.key + (entry.value.value(at: "_meta.disable")?.formText == "true" ? " (off)" : "")
        }.joined(separator: ", ")
    }
}
