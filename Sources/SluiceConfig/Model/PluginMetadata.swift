/// One `plugin_metadata` object (APISIX's `/apisix/admin/plugin_metadata/<plugin>`, stored as
/// `/apisix/plugin_metadata/<plugin>`): settings a plugin shares across every route that carries it. Its id is the
/// plugin's name.
///
/// In APISIX's stream subsystem only `syslog` has metadata (its `log_format`, and the batch processor manager's
/// `max_pending_entries`); it is decoded and applied. Sluice's other stream plugins have none, and metadata for
/// them is refused. Metadata of APISIX's HTTP plugins (`http-logger` …) is kept as written, like HTTP `routes`.
public struct PluginMetadata: Sendable, Equatable {
    public var id: String
    public var raw: ConfigValue
    /// nil for an HTTP plugin's metadata, which Sluice keeps without interpreting.
    public var syslog: SyslogMetadata?

    /// The plugins whose metadata Sluice applies.
    public static let withMetadata = [SyslogConfig.name]

    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> PluginMetadata? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        guard let id = r.id("id", required: true) else { return nil }
        var metadata = PluginMetadata(id: id, raw: value)
        switch id {
        case SyslogConfig.name:
            r.accept("create_time", "update_time")
            metadata.syslog = SyslogMetadata.decode(&r)
            r.rejectUnknownFields()
            return metadata.syslog == nil ? nil : metadata
        case let name where PluginSet.available.contains(name):
            r.report("id", "the stream plugin \(name) has no plugin metadata (only "
                     + "\(withMetadata.joined(separator: ", ")) has)")
            return nil
        default:
            return metadata
        }
    }
}

/// `syslog`'s metadata: the `log_format` of routes whose plugin has none, and the bound on entries waiting across
/// every syslog server (APISIX's batch processor manager: new entries are dropped while that many wait).
public struct SyslogMetadata: Sendable, Equatable {
    public var logFormat: [LogFormatField]?
    public var maxPendingEntries: Int

    /// APISIX's `DEFAULT_MAX_PENDING_ENTRIES`.
    public static let defaultMaxPendingEntries = 8192

    public init(logFormat: [LogFormatField]? = nil, maxPendingEntries: Int = defaultMaxPendingEntries) {
        self.logFormat = logFormat
        self.maxPendingEntries = maxPendingEntries
    }

    static func decode(_ r: inout FieldReader) -> SyslogMetadata? {
        let before = r.problems.errors.count
        var logFormat: [LogFormatField]?
        if let value = r.raw("log_format") {
            logFormat = LogFormatField.decode(value, path: r.child("log_format"), depth: 1, problems: r.problems)
        }
        let pending = r.int("max_pending_entries", in: 1...10_000_000) ?? defaultMaxPendingEntries
        guard r.problems.errors.count == before else { return nil }
        return SyslogMetadata(logFormat: logFormat, maxPendingEntries: pending)
    }
}
