import SluiceConfig

/// `traffic-split` (APISIX priority 966, balance phase): the first rule whose `match` holds for the connection (a
/// rule without `match` always holds) sends it to one of its weighted upstreams by smooth weighted round robin
/// (nginx's, as resty.roundrobin's weights give); an entry without an upstream, a rule whose weights are all 0, and
/// no rule holding keep the route's own. The round robin state belongs to the compiled route: it starts again when
/// the configuration changes.
struct TrafficSplitPlugin: StreamPlugin {
    let name = "traffic-split"
    let priority = 966
    let phases: PluginPhases = [.balance]
    /// The rules that can hold, in order.
    private let rules: [CompiledRule]

    /// One rule: when it holds, and where it sends.
    private struct CompiledRule: Sendable {
        /// nil: always holds; otherwise holds when one matcher does.
        let match: [VarsMatcher]?
        /// Same order as the rule's weighted upstreams; nil: the route's own.
        let choices: [UpstreamRuntime?]
        let reachable: [Int]
        let picker: SmoothWeightedRoundRobin

        func holds(_ session: PluginSession) -> Bool {
            match?.contains { $0.holds(session.value(of:)) } ?? true
        }
    }

    /// - Parameter choices: for each rule, the runtime of each weighted upstream (nil: the route's own).
    init(config: TrafficSplitConfig, choices: [[UpstreamRuntime?]]) {
        rules = config.rules.enumerated().compactMap { index, rule in
            let always = rule.holdsAlways(asRuleAt: index)
            guard always != false, index < choices.count else { return nil }
            let weights = rule.weightedUpstreams.map(\.weight)
            return CompiledRule(match: always == true ? nil : rule.match?.map(VarsMatcher.init),
                                choices: choices[index], reachable: weights.indices.filter { weights[$0] > 0 },
                                picker: SmoothWeightedRoundRobin(weights: weights))
        }
    }

    func balance(_ session: PluginSession) -> BalanceChoice {
        guard let rule = rules.first(where: { $0.holds(session) }),
              let index = rule.picker.pick(among: rule.reachable), let runtime = rule.choices[index] else {
            return .keep
        }
        return .upstream(runtime)
    }
}
