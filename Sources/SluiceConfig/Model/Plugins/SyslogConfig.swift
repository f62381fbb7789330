/// APISIX's `syslog` for stream routes: one entry per session, sent after it ends to a syslog server over TCP (the
/// default), TLS or UDP, in batches (APISIX's batch-processor fields), as RFC 5424 (APISIX's) or RFC 3164 lines.
public struct SyslogConfig: Sendable, Hashable {
    static let name = "syslog"

    /// `sock_type`.
    public enum Transport: String, Sendable, Hashable {
        case tcp
        case udp
    }

    /// Sluice's `format`: the syslog header (APISIX always sends RFC 5424).
    public enum Format: String, Sendable, Hashable {
        case rfc5424
        case rfc3164
    }

    public var host: String
    public var port: Int
    public var transport: Transport
    /// Milliseconds a connect or a send may take before it counts as failed.
    public var timeoutMilliseconds: Int
    public var tls: Bool
    /// Sluice's `tls_verify` (default true): check the server's certificate against the system's trust store.
    public var tlsVerify: Bool
    public var format: Format
    /// APISIX's `$var` object; nil sends Sluice's access-log fields (APISIX sends nothing and logs an error).
    public var logFormat: [LogFormatField]?
    /// The batch processor's `name`, shown in the engine log.
    public var batchName: String
    public var batchMaxSize: Int
    /// Seconds without a new entry before a partial batch is sent.
    public var inactiveTimeout: Int
    /// Seconds after a batch's first entry before it is sent, however busy the route.
    public var bufferDuration: Int
    public var maxRetryCount: Int
    /// Seconds between a failed send and its retry.
    public var retryDelay: Int
    /// Bytes waiting that make a batch go at once.
    public var flushLimit: Int
    /// Bytes that may wait (queued and being sent) before new entries are dropped.
    public var dropLimit: Int

    /// APISIX's `pool_size` default, the only value Sluice accepts.
    static let defaultPoolSize = 5

    /// APISIX's nesting limit for `log_format` objects (`MAX_LOG_FORMAT_DEPTH`); deeper is refused, not truncated.
    public static let maxLogFormatDepth = 5

    static func decode(_ r: inout FieldReader) -> SyslogConfig? {
        let problemsBefore = r.problems.errors.count
        let host = r.string("host", required: true, maxLength: 253)
        if let host, host.isEmpty || host.contains(where: { $0 == " " || $0 == "/" }) {
            r.report("host", "must be an IP address or a host name, got \"\(host)\"")
        }
        let port = r.int("port", in: 1...65535, required: true)
        let transport = r.oneOf("sock_type", ["tcp", "udp"]).flatMap(Transport.init) ?? .tcp
        let timeout = r.int("timeout", in: 1...3_600_000) ?? 3000
        let tls = r.bool("tls") ?? false
        let tlsVerify = r.bool("tls_verify") ?? true
        if tls && transport == .udp { r.report("tls", "needs sock_type tcp (TLS over UDP is not supported)") }
        let format = r.oneOf("format", ["rfc5424", "rfc3164"]).flatMap(Format.init) ?? .rfc5424
        var logFormat: [LogFormatField]?
        if let value = r.raw("log_format") {
            logFormat = LogFormatField.decode(value, path: r.child("log_format"), depth: 1, problems: r.problems)
        }
        // APISIX's `pool_size` sizes the keepalive pool of its per-batch sockets. Sluice's sender keeps one
        // connection per configuration and sends its batches one after another on it: there is no pool, so only
        // APISIX's default is accepted (a larger one would be accepted and ignored).
        if let size = r.int("pool_size", in: 0...65535), size != defaultPoolSize {
            r.report("pool_size", "must be \(defaultPoolSize) (APISIX's default), got \(size): Sluice keeps one "
                     + "connection per syslog configuration and has no connection pool to size")
        }
        let name = r.string("name", maxLength: 256) ?? "stream sys logger"
        let batchMaxSize = r.int("batch_max_size", in: 1...100_000) ?? 1000
        let inactive = r.int("inactive_timeout", in: 1...86400) ?? 5
        let duration = r.int("buffer_duration", in: 1...86400) ?? 60
        let retries = r.int("max_retry_count", in: 0...1000) ?? 0
        let retryDelay = r.int("retry_delay", in: 0...3600) ?? 1
        let flushLimit = r.int("flush_limit", in: 1...67_108_864) ?? 4096
        let dropLimit = r.int("drop_limit", in: 1...1_073_741_824) ?? 1_048_576
        r.rejectUnknownFields()
        guard let host, let port, r.problems.errors.count == problemsBefore else { return nil }
        return SyslogConfig(host: host, port: port, transport: transport, timeoutMilliseconds: timeout, tls: tls,
                            tlsVerify: tlsVerify, format: format, logFormat: logFormat, batchName: name,
                            batchMaxSize: batchMaxSize, inactiveTimeout: inactive, bufferDuration: duration,
                            maxRetryCount: retries, retryDelay: retryDelay, flushLimit: flushLimit,
                            dropLimit: dropLimit)
    }
}

/// One key of a `log_format` object and what it becomes in the entry.
public struct LogFormatField: Sendable, Hashable {
    /// What a `log_format` value says.
    public indirect enum Value: Sendable, Hashable {
        /// `"$remote_addr"`: the variable's value (the key is left out when the variable has none, as in APISIX).
        case variable(String)
        /// Any other string, number, boolean or null, sent as written.
        case literal(Literal)
        /// A nested object, itself a format.
        case object([LogFormatField])
    }

    /// A constant of a `log_format`.
    public enum Literal: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
    }

    public var key: String
    public var value: Value

    /// The fields of one `log_format` object; nil (with problems reported) when it is not a valid one.
    static func decode(_ value: ConfigValue, path: String, depth: Int, problems: Problems) -> [LogFormatField]? {
        guard let entries = value.entries else {
            problems.add(path, "must be an object of key ⇒ \"$variable\" or value, got \(value.typeName)",
                         line: value.line)
            return nil
        }
        var fields: [LogFormatField] = []
        var valid = true
        for entry in entries {
            let p = FieldPath.join(path, entry.key)
            let v = entry.value
            switch v.kind {
            case .string(let s) where s.hasPrefix("$"):
                let name = s.dropFirst()
                guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) })
                else {
                    problems.add(p, "must name a variable as $letters_digits_or_underscores, got \"\(s)\"",
                                 line: v.line ?? value.line)
                    valid = false
                    continue
                }
                fields.append(LogFormatField(key: entry.key, value: .variable(String(name))))
            case .string(let s): fields.append(LogFormatField(key: entry.key, value: .literal(.string(s))))
            case .int(let i): fields.append(LogFormatField(key: entry.key, value: .literal(.int(i))))
            case .double(let d): fields.append(LogFormatField(key: entry.key, value: .literal(.double(d))))
            case .bool(let b): fields.append(LogFormatField(key: entry.key, value: .literal(.bool(b))))
            case .null: fields.append(LogFormatField(key: entry.key, value: .literal(.null)))
            case .map:
                guard depth < SyslogConfig.maxLogFormatDepth else {
                    problems.add(p, "nests deeper than \(SyslogConfig.maxLogFormatDepth) objects",
                                 line: v.line ?? value.line)
                    valid = false
                    continue
                }
                guard let nested = decode(v, path: p, depth: depth + 1, problems: problems) else {
                    valid = false
                    continue
                }
                fields.append(LogFormatField(key: entry.key, value: .object(nested)))
            case .list:
                problems.add(p, "must be a \"$variable\", a string, a number, a boolean or an object, got a list",
                             line: v.line ?? value.line)
                valid = false
            }
        }
        return valid ? fields : nil
    }
}
