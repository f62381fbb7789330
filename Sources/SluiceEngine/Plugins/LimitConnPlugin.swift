import Foundation
import NIOCore
import SluiceConfig

/// `limit-conn` (APISIX priority 1003, access and log phases): counts the route's connections per key in a
/// `ConnectionLimiter`; beyond `conn + burst` refuses (status 503, reason `limit_conn`), beyond `conn` delays.
/// The access phase marks the session with the key it counted; the log phase, which runs once whichever way the
/// session ends, frees exactly what was counted.
struct LimitConnPlugin: StreamPlugin {
    let name = "limit-conn"
    let priority = 1003
    let phases: PluginPhases = [.access, .log]
    let config: LimitConnConfig
    let limiter: ConnectionLimiter

    static let keyVariable = "limit_conn_key"
    static let delayVariable = "limit_conn_delay"

    func access(_ session: inout PluginSession) -> AccessVerdict {
        let key = Self.key(config.key, session: session)
        switch limiter.incoming(key) {
        case .rejected(let count):
            let detail = config.rejectedMessage.map { "\($0): " } ?? ""
            return .refuse(.limitConn, why: "\(detail)connection \(count) for key \"\(key)\" is beyond conn "
                                            + "\(config.conn) + burst \(config.burst)")
        case .admitted(let delay):
            session.variables[Self.keyVariable] = key
            guard delay >= 0.001 else { return .allow }
            session.variables[Self.delayVariable] = String(delay)
            return .delay(.nanoseconds(Int64((delay * 1e9).rounded())))
        }
    }

    func log(_ record: AccessLogRecord, session: PluginSession) {
        guard let key = session.variables[Self.keyVariable] else { return }
        let delay = session.variables[Self.delayVariable].flatMap(Double.init) ?? 0
        limiter.leaving(key, latency: max(0, record.end.timeIntervalSince(record.start) - delay))
    }

    /// The key's value for this session; empty falls back to the client address, as APISIX does.
    static func key(_ parts: [LimitConnConfig.KeyPart], session: PluginSession) -> String {
        var out = ""
        var anyValue = false
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name):
                if let value = session.value(of: name), !value.isEmpty {
                    out += value
                    anyValue = true
                }
            }
        }
        return anyValue ? out : (session.facts.remoteAddress?.description ?? "-")
    }
}
