import NIOCore
import SluiceConfig

/// `syslog` (APISIX priority 401, log phase): one entry per session, rendered on the session's event loop (a JSON
/// object and a syslog header: cheap) and handed to the route's `SyslogSender`, which sends it off the loop.
struct SyslogPlugin: StreamPlugin {
    let name = "syslog"
    let priority = 401
    let phases: PluginPhases = [.log]
    let config: SyslogConfig
    let entry: SyslogEntry
    let sender: SyslogSender

    func log(_ record: AccessLogRecord, session: PluginSession) {
        var line = SyslogMessage.render(entry.json(record, session: session), format: config.format, at: record.end)
        if config.transport == .tcp { line += "\n" }
        sender.enqueue(ByteBuffer(string: line))
    }
}
