import SluiceConfig

/// What every session of one listener shares, worked out once at bind rather than per connection: its settings,
/// its name as the console and the logs show it, its counters.
struct ListenerRuntime: Sendable {
    let spec: ListenerSpec
    let name: String
    /// `ip:port` as configured (APISIX's `listen_addr` label).
    let listenAddr: String
    let counters: TrafficCounters

    init(spec: ListenerSpec, counters: CounterTable) {
        self.spec = spec
        name = "\(spec)"
        listenAddr = HostPort(host: spec.host, port: spec.port).description
        self.counters = counters.counters("listener:\(name)")
    }
}
