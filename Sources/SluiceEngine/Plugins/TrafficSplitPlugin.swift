import SluiceConfig

/// `traffic-split` (APISIX priority 966, balance phase): each new connection goes to one of the weighted upstreams
/// by smooth weighted round robin (nginx's, as resty.roundrobin's weights give); an entry without an upstream
/// keeps the route's own. The round robin state belongs to the compiled route: it starts again when the
/// configuration changes.
struct TrafficSplitPlugin: StreamPlugin {
    let name = "traffic-split"
    let priority = 966
    let phases: PluginPhases = [.balance]
    /// Same order as the configuration's weighted upstreams; nil: the route's own.
    let choices: [UpstreamRuntime?]
    private let reachable: [Int]
    private let picker: SmoothWeightedRoundRobin

    init(config: TrafficSplitConfig, choices: [UpstreamRuntime?]) {
        self.choices = choices
        reachable = config.weightedUpstreams.indices.filter { config.weightedUpstreams[$0].weight > 0 }
        picker = SmoothWeightedRoundRobin(weights: config.weightedUpstreams.map(\.weight))
    }

    func balance(_ session: PluginSession) -> BalanceChoice {
        guard let index = picker.pick(among: reachable), let runtime = choices[index] else { return .keep }
        return .upstream(runtime)
    }
}
