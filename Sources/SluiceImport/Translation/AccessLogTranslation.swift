import SluiceConfig
import SluiceEngine

/// `log_format` and `access_log`: the `stream {}` level's log becomes Sluice's main access log (`access_log.path`
/// and `.format` in config.yaml), a server's own becomes the `access_log` of its listeners (`false` for `off`),
/// which nginx's inheritance rules make the same thing: a server without one logs where `stream {}` says.
struct AccessLogTranslation {
    /// One `access_log` as Sluice writes it.
    enum Log: Equatable {
        case off
        case file(path: String, format: String)

        /// A listener entry's `access_log` value.
        var listenerValue: ConfigValue {
            switch self {
            case .off: .bool(false)
            case .file(let path, let format): .map([("path", .string(path)), ("format", .string(format))])
            }
        }
    }

    /// nginx variables with a Sluice counterpart of another name.
    static let renamed = ["ssl_preread_server_name": "ssl_server_name"]

    private var formats: [String: (format: String, location: SourceLocation)] = [:]
    /// The `stream {}`-level log; nil when there is none.
    private(set) var main: Log?
    private var mainAt: SourceLocation?

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

    /// Reads an `access_log` of `stream {}`: the main log (the first one; Sluice writes one file per level).
    mutating func useAtStreamLevel(_ d: NginxDirective, notes: ImportNotes) {
        guard let log = read(d, notes: notes) else { return }
        guard let mainAt else {
            main = log
            mainAt = d.location
            return
        }
        if log != main { notes.add(d, .notTranslated, "Sluice writes one main access log: the one of \(mainAt)") }
    }

    /// Reads a server's `access_log` into `own`, the server's listeners' log (the first one; Sluice writes one
    /// file per listener). `own` stays nil when the log is the main one anyway.
    func useInServer(_ d: NginxDirective, own: inout (log: Log, location: SourceLocation)?, notes: ImportNotes) {
        guard let log = read(d, notes: notes) else { return }
        if let own {
            if log != own.log {
                notes.add(d, .notTranslated, "Sluice writes one access log per listener: the one of \(own.location)")
            }
            return
        }
        own = (log, d.location)
    }

    /// One `access_log` directive as a Sluice log; nil (noted) when it cannot be one.
    private func read(_ d: NginxDirective, notes: ImportNotes) -> Log? {
        if d.args == ["off"] { return .off }
        guard d.args.count >= 2 else {
            notes.add(d, .notTranslated, "access_log needs a path and a log_format name")
            return nil
        }
        if d.args[0].contains("$") || d.args[0].hasPrefix("syslog:") {
            notes.add(d, .notTranslated, "Sluice writes an access log to one file path")
            return nil
        }
        guard let named = formats[d.args[1]] else {
            notes.add(d, .notTranslated, "no log_format \"\(d.args[1])\" (defined before use)")
            return nil
        }
        for param in d.args.dropFirst(2) {
            let (key, _) = UpstreamBlock.split(param)
            if key == "buffer" || key == "flush" {
                notes.add(d, .notNeeded, "Sluice writes lines off the event loops, in batches", subject: param)
            } else {
                notes.add(d, .notTranslated, "Sluice has no such access_log option", subject: param)
            }
        }
        if !d.args[0].hasPrefix("/") {
            notes.add(d, .approximate, "a relative path starts at config.yaml's folder (nginx: its prefix)",
                      subject: d.args[0])
        }
        return .file(path: d.args[0], format: named.format)
    }

    /// The `access_log` section for config.yaml, or nil.
    var section: ConfigValue? {
        guard case .file(let path, let format)? = main else { return nil }
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
