/// The directives of an nginx `stream {}` context, found in a whole `nginx.conf` or given bare.
///
/// A file with `stream` blocks contributes their contents (several blocks are merged in order); a file without
/// one is read as the inside of a `stream {}` (a bare body, or just `upstream`/`server` blocks). Everything else
/// at the top of an `nginx.conf` is reported: `http {}` is not a stream configuration, process settings are not
/// needed by Sluice.
enum StreamScope {
    /// Main-context directives Sluice has no use for, and why.
    static let processSettings: [String: String] = [
        "user": "run Sluice as its own user (packaging/sluice.service)",
        "worker_processes": "Sluice runs one event loop per core",
        "worker_cpu_affinity": "Sluice runs one event loop per core",
        "worker_priority": "use Nice= in the unit",
        "worker_rlimit_nofile": "set LimitNOFILE= in the unit (packaging/sluice.service)",
        "pid": "systemd tracks the process",
        "daemon": "Sluice runs in the foreground under systemd",
        "master_process": "Sluice is one process",
        "load_module": "the stream features are built in",
        "events": "Sluice's event loops need no settings",
        "env": "Sluice reads no environment settings",
        "thread_pool": "Sluice sizes its threads itself",
        "pcre_jit": "Sluice needs no regular expressions",
        "timer_resolution": "Sluice needs no timer settings",
        "working_directory": "set WorkingDirectory= in the unit",
    ]

    static func directives(of top: [NginxDirective], notes: ImportNotes) -> [NginxDirective] {
        guard top.contains(where: { $0.name == "stream" && $0.block != nil }) else { return top }
        var out: [NginxDirective] = []
        for d in top {
            switch d.name {
            case "stream" where d.block != nil:
                out += d.block ?? []
            case "http", "mail":
                notes.add(d, .notTranslated, "Sluice is a stream (L4) gateway; only stream {} is imported",
                          subject: "\(d.name) {}")
            case "error_log":
                notes.add(d, .notTranslated, ErrorLogNote.why)
            default:
                if let why = processSettings[d.name] {
                    notes.add(d, .notNeeded, why)
                } else {
                    notes.add(d, .notTranslated, "unknown main-context directive")
                }
            }
        }
        return out
    }
}

/// What `error_log` becomes.
enum ErrorLogNote {
    static let why = "Sluice logs to stderr (the journal under systemd), or to log_file while the console runs"
}
