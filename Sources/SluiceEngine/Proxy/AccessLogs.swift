import SluiceConfig

/// The access logs sessions write to: the main one, and the listeners that have their own or none
/// (`stream_proxy.tcp[].access_log`). One writer per file, shared by every log naming that path.
struct AccessLogs: Sendable {
    /// What a listener with its own setting logs to.
    enum Own: Sendable {
        case off
        case logger(AccessLogger)
    }

    var main: AccessLogger?
    /// By listener name (`tcp 127.0.0.1:9100`).
    var listeners: [String: Own] = [:]

    /// The log of a session accepted on `listener`; nil when it is not logged.
    func logger(forListener listener: String) -> AccessLogger? {
        guard !listeners.isEmpty, let own = listeners[listener] else { return main }
        switch own {
        case .off: return nil
        case .logger(let logger): return logger
        }
    }

    /// Every writer in use, each once.
    var writers: [AccessLogWriter] {
        var byPath: [String: AccessLogWriter] = [:]
        if let main { byPath[main.writer.path] = main.writer }
        for case .logger(let logger) in listeners.values { byPath[logger.writer.path] = logger.writer }
        return byPath.keys.sorted().compactMap { byPath[$0] }
    }

    /// The logs `settings` ask for. A file `previous` already writes keeps its writer, reopened (SIGHUP and
    /// SIGUSR1 after logrotate renamed it: lines written before end the old file); the others are opened.
    /// - Throws: the first format or file error.
    static func open(_ settings: NodeSettings, previous: AccessLogs) throws -> AccessLogs {
        var opened: [String: AccessLogWriter] = [:]
        for writer in previous.writers { opened[writer.path] = writer }
        var used: [String: AccessLogWriter] = [:]
        func logger(_ s: AccessLogSettings) throws -> AccessLogger {
            let format = try AccessLogFormat(s.format ?? AccessLogFormat.defaultFormat)
            if let writer = used[s.path] { return AccessLogger(format: format, writer: writer) }
            let writer: AccessLogWriter
            if let kept = opened[s.path] {
                kept.reopen()
                writer = kept
            } else {
                writer = try AccessLogWriter(path: s.path)
            }
            used[s.path] = writer
            return AccessLogger(format: format, writer: writer)
        }
        var logs = AccessLogs(main: try settings.accessLog.map(logger))
        for (spec, own) in settings.listenerAccessLogs {
            switch own {
            case .off: logs.listeners["\(spec)"] = .off
            case .file(let s): logs.listeners["\(spec)"] = .logger(try logger(s))
            }
        }
        return logs
    }
}
