/// An upstream's health checks (APISIX `checks`): active probes and passive observation of real traffic.
public struct UpstreamChecks: Sendable, Equatable {
    /// Probes sent by Sluice on a timer; nil when `checks.active` is absent.
    public var active: ActiveCheck?
    /// Thresholds applied to real connects; nil when `checks.passive` is absent.
    public var passive: PassiveCheck?
    public init(active: ActiveCheck? = nil, passive: PassiveCheck? = nil) {
        self.active = active
        self.passive = passive
    }
}

/// `checks.active`: APISIX's fields and defaults for `type: tcp`, plus Sluice's `udp` type, `send` / `expect`
/// and `tls`.
public struct ActiveCheck: Sendable, Equatable {
    /// What a probe is.
    public enum Kind: String, Sendable {
        /// Connect within `timeout` (then `send` / `expect`, after a TLS handshake when `tls`).
        case tcp
        /// Send `send` as one datagram and expect a reply (starting with `expect`) within `timeout`.
        case udp
    }
    public var kind = Kind.tcp
    /// Seconds a probe may take.
    public var timeout = 1.0
    /// At most this many probes of the upstream run at the same time.
    public var concurrency = 10
    /// Probe this port instead of the node's.
    public var port: Int?
    /// Bytes written once connected (HAProxy `tcp-check send`).
    public var send: [UInt8]?
    /// The reply must start with these bytes (HAProxy `tcp-check expect`).
    public var expect: [UInt8]?
    /// A TLS handshake with the upstream's `tls` settings (verified when `tls.verify`).
    public var tls = false
    /// Seconds between probes of a healthy node, and successes in a row that make an unhealthy node healthy.
    public var healthyInterval = 1.0
    public var healthySuccesses = 2
    /// Seconds between probes of an unhealthy node; failures (refused, reset, mismatch) or timeouts in a row
    /// that make a healthy node unhealthy.
    public var unhealthyInterval = 1.0
    public var unhealthyTCPFailures = 2
    public var unhealthyTimeouts = 3
    public init() {}
}

/// `checks.passive`: what real connects count for (APISIX defaults). A threshold of 0 turns that count off.
public struct PassiveCheck: Sendable, Equatable {
    /// Successful connects in a row that make an unhealthy node healthy again.
    public var healthySuccesses = 5
    /// Failed connects (refused, reset) in a row that make a node unhealthy.
    public var unhealthyTCPFailures = 2
    /// Timed-out connects in a row that make a node unhealthy.
    public var unhealthyTimeouts = 7
    public init() {}
}
