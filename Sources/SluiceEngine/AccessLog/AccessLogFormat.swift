import Foundation

/// A compiled nginx-style `log_format`: literal text and `$variable` / `${variable}` references.
///
/// The format is parsed once into tokens; `render` walks them without re-parsing. A `$` not followed by a
/// variable name (letters, digits, `_`) is literal text, so `$$status` renders as `$200`.
package struct AccessLogFormat: Sendable {
    /// The format used when `access_log.format` is not set.
    package static let defaultFormat =
        "$remote_addr [$time_local] $protocol $status $bytes_sent $bytes_received $session_time \"$upstream_addr\" $route_id $close_reason"

    /// One piece of a compiled format.
    enum Token: Sendable, Equatable {
        case literal(String)
        case variable(AccessLogVariable)
    }

    /// The compiled format, in order; adjacent literal text is merged.
    let tokens: [Token]

    /// The zone `$time_local` and `$time_iso8601` are shown in; nil means the process's local time zone.
    package let timeZone: TimeZone?

    /// Compiles `format`.
    /// - Parameter timeZone: the zone for `$time_local` / `$time_iso8601`; nil (the default) uses the process's
    ///   local time zone like nginx.
    /// - Throws: `AccessLogFormatError` naming an unknown variable and its offset (in Unicode scalars),
    ///   an empty `${}` or an unclosed `${`.
    package init(_ format: String, timeZone: TimeZone? = nil) throws(AccessLogFormatError) {
        self.timeZone = timeZone
        var tokens: [Token] = []
        var literal = String.UnicodeScalarView()
        let scalars = Array(format.unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$" else {
                literal.append(scalars[i])
                i += 1
                continue
            }
            let start = i
            let name: String
            if i + 1 < scalars.count, scalars[i + 1] == "{" {
                guard let close = scalars[(i + 2)...].firstIndex(of: "}") else {
                    throw AccessLogFormatError(message: "unclosed \"${\" at offset \(start)")
                }
                name = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
                guard !name.isEmpty else {
                    throw AccessLogFormatError(message: "empty variable name \"${}\" at offset \(start)")
                }
                i = close + 1
            } else {
                var end = i + 1
                while end < scalars.count, Self.isNameScalar(scalars[end]) { end += 1 }
                name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                i = end
            }
            if name.isEmpty {
                literal.append("$")
                continue
            }
            guard let variable = AccessLogVariable(named: name) else {
                throw AccessLogFormatError(message: "unknown variable \"$\(name)\" at offset \(start)")
            }
            if !literal.isEmpty {
                tokens.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
            tokens.append(.variable(variable))
        }
        if !literal.isEmpty { tokens.append(.literal(String(literal))) }
        self.tokens = tokens
    }

    /// Letters, digits and `_`, like nginx variable names.
    private static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// Renders one log line for `record`, without the trailing newline.
    package func render(_ record: AccessLogRecord) -> String {
        var out = ""
        out.reserveCapacity(192)
        var time: AccessLogTime?
        for token in tokens {
            switch token {
            case .literal(let text): out += text
            case .variable(let variable): append(variable, of: record, time: &time, to: &out)
            }
        }
        return out
    }

    /// Appends one variable's value; `time` caches the broken-down end time across `$time_*` variables.
    private func append(_ variable: AccessLogVariable, of r: AccessLogRecord, time: inout AccessLogTime?,
                        to out: inout String) {
        switch variable {
        case .remoteAddr: Self.append(r.remoteAddr.isEmpty ? nil : r.remoteAddr, to: &out)
        case .remotePort: out += String(r.remotePort)
        case .serverAddr: Self.append(r.serverAddr.isEmpty ? nil : r.serverAddr, to: &out)
        case .serverPort: out += String(r.serverPort)
        case .protocol: Self.append(r.transport.isEmpty ? nil : r.transport, to: &out)
        case .status: out += String(r.status)
        case .bytesSent: out += String(r.bytesSent)
        case .bytesReceived: out += String(r.bytesReceived)
        case .sessionTime:
            let ms = AccessLogVariable.milliseconds(r.end.timeIntervalSince(r.start))
            AccessLogVariable.appendSeconds(milliseconds: max(0, ms), to: &out)
        case .upstreamAddr:
            if !r.upstreamAddrsTried.isEmpty {
                Self.append(r.upstreamAddrsTried.joined(separator: ", "), to: &out)
            } else {
                Self.append(r.upstreamAddr, to: &out)
            }
        case .upstreamBytesSent: out += String(r.upstreamBytesSent)
        case .upstreamBytesReceived: out += String(r.upstreamBytesReceived)
        case .upstreamConnectTime:
            if let seconds = r.upstreamConnectTime {
                AccessLogVariable.appendSeconds(milliseconds: max(0, AccessLogVariable.milliseconds(seconds)), to: &out)
            } else {
                out += "-"
            }
        case .timeLocal: brokenDown(r.end, cache: &time).appendLocal(to: &out)
        case .timeISO8601: brokenDown(r.end, cache: &time).appendISO8601(to: &out)
        case .msec:
            AccessLogVariable.appendSeconds(milliseconds: AccessLogVariable.milliseconds(r.end.timeIntervalSince1970),
                                            to: &out)
        case .connection: out += String(r.connectionID)
        case .pid: out += AccessLogVariable.processID
        case .hostname: Self.append(AccessLogVariable.hostName, to: &out)
        case .routeID: Self.append(r.routeID, to: &out)
        case .closeReason: Self.append(r.closeReason.isEmpty ? nil : r.closeReason, to: &out)
        case .sslServerName: Self.append(r.sslServerName, to: &out)
        case .sslProtocol: Self.append(r.sslProtocol, to: &out)
        case .sslCipher: out += "-"
        case .proxyProtocolAddr: Self.append(r.proxyProtocolSource?.host, to: &out)
        case .proxyProtocolPort: Self.append(r.proxyProtocolSource.map { String($0.port) }, to: &out)
        case .proxyProtocolServerAddr: Self.append(r.proxyProtocolDestination?.host, to: &out)
        case .proxyProtocolServerPort: Self.append(r.proxyProtocolDestination.map { String($0.port) }, to: &out)
        case .realipRemoteAddr: Self.append(r.realipRemote?.host ?? (r.remoteAddr.isEmpty ? nil : r.remoteAddr), to: &out)
        case .realipRemotePort: out += String(r.realipRemote?.port ?? r.remotePort)
        case .mqttClientID: Self.append(r.mqttClientID, to: &out)
        }
    }

    /// Appends a text value escaped (`LogEscaping`: clients choose an SNI, a PROXY header's addresses, …),
    /// or `-` when absent.
    private static func append(_ text: String?, to out: inout String) {
        guard let text else {
            out += "-"
            return
        }
        LogEscaping.append(text, to: &out)
    }

    /// The end time broken down in this format's zone, computed at most once per line. The second is taken from
    /// the same rounded milliseconds as `$msec`, so the two never disagree.
    private func brokenDown(_ date: Date, cache: inout AccessLogTime?) -> AccessLogTime {
        if let cached = cache { return cached }
        let ms = AccessLogVariable.milliseconds(date.timeIntervalSince1970)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let time = AccessLogTime(epochSeconds: seconds, timeZone: timeZone)
        cache = time
        return time
    }
}
