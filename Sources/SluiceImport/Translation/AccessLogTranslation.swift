import SluiceConfig
import SluiceEngine

/// `log_format` and `access_log` as Sluice's one access log (`access_log.path` and `.format` in config.yaml).
///
/// Sluice writes one access log for every listener. The `stream {}`-level `access_log` becomes it; without one,
/// the first server's; any other log is reported.
struct AccessLogTranslation {
    /// nginx variables with a Sluice counterpart of another name.
    static let renamed = ["ssl_preread_server_name": "ssl_server_name"]

    private var formats: [String: (format: String, location: SourceLocation)] = [:]
    private(set) var path: String?
    private(set) var format: String?
    private var chosenAt: SourceLocation?
    private var chosenAtStreamLevel = false

    /// Records a `log_format NAME [escape=…] STRING…`.
    mutating func define(_ d: NginxDirective, notes: ImportNotes) {
        guard d.args.count >= 2 else {
            notes.add(d, .notTranslated, "log_format needs a name and a format")
            return
        }
        var parts = Array(d.args.dropFirst())
        if let escape = parts.first, escape.hasPrefix("escape=") {
            parts.removeFirst()
            if escape != "escape=default" {
                notes.add(d, .notTranslated, "Sluice escapes values its own way", subject: escape)
            }
        }
        formats[d.args[0]] = (translate(parts.joined(), d, notes), d.location)
    }

    /// Reads an `access_log`; `streamLevel` for one outside any server block.
    mutating func use(_ d: NginxDirective, streamLevel: Bool, notes: ImportNotes) {
        if d.args == ["off"] { return }
        guard d.args.count >= 2 else {
            notes.add(d, .notTranslated, "access_log needs a path and a log_format name")
            return
        }
        if d.args[0].contains("$") || d.args[0].hasPrefix("syslog:") {
            notes.add(d, .notTranslated, "Sluice writes its access log to one file path")
            return
        }
        guard let named = formats[d.args[1]] else {
            notes.add(d, .notTranslated, "no log_format \"\(d.args[1])\" (defined before use)")
            return
        }
        for param in d.args.dropFirst(2) {
            let (key, _) = UpstreamBlock.split(param)
            if key == "buffer" || key == "flush" {
                notes.add(d, .notNeeded, "Sluice writes lines off the event loops, in batches", subject: param)
            } else {
                notes.add(d, .notTranslated, "Sluice has no such access_log option", subject: param)
            }
        }
        if let chosenAt {
            if path == d.args[0] && format == named.format { return }
            if chosenAtStreamLevel || !streamLevel {
                notes.add(d, .notTranslated, "Sluice writes one access log for every listener: \(path ?? "") "
                          + "(\(chosenAt))")
                return
            }
        }
        if !streamLevel {
            notes.add(d, .approximate, "Sluice writes one access log for every listener; this one takes them all")
        }
        if !d.args[0].hasPrefix("/") {
            notes.add(d, .approximate, "a relative path starts at config.yaml's folder (nginx: its prefix)",
                      subject: d.args[0])
        }
        path = d.args[0]
        format = named.format
        chosenAt = d.location
        chosenAtStreamLevel = streamLevel
    }

    /// The `access_log` section for config.yaml, or nil.
    var section: ConfigValue? {
        guard let path, let format else { return nil }
        return .map([("path", .string(path)), ("format", .string(format))])
    }

    /// The format with each nginx variable Sluice lacks replaced by `-` (noted), renamed ones renamed.
    private func translate(_ format: String, _ d: NginxDirective, _ notes: ImportNotes) -> String {
        var out = ""
        var rest = Substring(format)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let braced = rest.first == "{"
            let nameStart = braced ? rest.index(after: rest.startIndex) : rest.startIndex
            let name = rest[nameStart...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else {
                out += "$"
                continue
            }
            var after = rest[nameStart...].dropFirst(name.count)
            if braced, after.first == "}" { after = after.dropFirst() }
            rest = after
            let key = String(name)
            if let other = Self.renamed[key] {
                out += "$" + other
                notes.add(d, .approximate, "logged as $\(other)", subject: "$\(key)")
            } else if (try? AccessLogFormat("$" + key)) != nil {
                out += braced ? "${\(key)}" : "$" + key
            } else {
                out += "-"
                notes.add(d, .notTranslated, "Sluice has no such variable; logged as -", subject: "$\(key)")
            }
        }
        return out + rest
    }
}
