/// APISIX's `traffic-split` for stream routes (APISIX 3.14): each new connection goes to one of the weighted
/// upstreams of the first rule whose `match` holds (a rule without `match` always does), by smooth weighted round
/// robin; an entry without an upstream means the route's own, and so does no rule holding.
public struct TrafficSplitConfig: Sendable, Hashable {
    static let name = "traffic-split"

    /// APISIX's schema (apisix/plugins/traffic-split.lua); `upstream` is an upstream object as the Admin API's
    /// `/upstreams` takes it (APISIX's schema_def.upstream), given by `Upstream.jsonSchemaDefinitions`.
    public static let jsonSchema = """
        {"type":"object","definitions":{\(Upstream.jsonSchemaDefinitions)},\
        "properties":{"rules":{"type":"array","items":{"type":"object","properties":{\
        "match":{"type":"array","items":{"type":"object","properties":{"vars":{"type":"array"}}}},\
        "weighted_upstreams":{"type":"array","minItems":1,"maxItems":20,"default":[{"weight":1}],\
        "items":{"type":"object","properties":{"upstream_id":{"anyOf":[{"type":"string","minLength":1,\
        "maxLength":64,"pattern":"^[a-zA-Z0-9-_.]+$"},{"type":"integer","minimum":1}]},\
        "upstream":{"$ref":"#/definitions/upstream"},"weight":{"type":"integer","default":1,"minimum":0}}}}}}}}}
        """

    /// Where one weighted entry sends a connection.
    public enum Target: Sendable, Equatable {
        /// The route's own upstream (an entry with only a weight).
        case route
        case upstreamID(String)
        case inline(Upstream)
    }

    /// One entry of `weighted_upstreams`.
    public struct WeightedUpstream: Sendable, Equatable {
        public var target: Target
        public var weight: Int

        public init(_ target: Target, weight: Int = 1) {
            self.target = target
            self.weight = weight
        }
    }

    /// One rule: where connections go when its `match` holds.
    public struct Rule: Sendable, Equatable {
        /// nil: no `match`, the rule always holds. Otherwise the rule holds when one entry's `vars` holds.
        public var match: [VarsExpression]?
        public var weightedUpstreams: [WeightedUpstream]

        public init(match: [VarsExpression]? = nil, weightedUpstreams: [WeightedUpstream]) {
            self.match = match
            self.weightedUpstreams = weightedUpstreams
        }

        /// Whether the rule holds whatever the connection (true), never (false), or depending on its variables
        /// (nil). `match: []` holds only as the first rule: APISIX's loop then keeps the previous rule's failed
        /// match (its initial "passed" before the first rule).
        public func holdsAlways(asRuleAt index: Int) -> Bool? {
            guard let match else { return true }
            if match.isEmpty { return index == 0 }
            return match.contains(.all([])) ? true : nil
        }

        /// The entries that can be chosen (weight above 0).
        public var reachable: [WeightedUpstream] { weightedUpstreams.filter { $0.weight > 0 } }
    }

    /// In order: the first rule that holds chooses among its weighted upstreams; when none holds (or the plugin
    /// has no rules) the connection keeps the route's own upstream.
    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Why some connections may still go to the route's own upstream, or nil when every one is sent elsewhere
    /// (then the route needs no upstream of its own).
    public var routeUpstreamUse: String? {
        let own = "its traffic-split sends connections to the route's own upstream"
        for (i, rule) in rules.enumerated() where rule.holdsAlways(asRuleAt: i) != false {
            let reachable = rule.reachable
            if reachable.isEmpty || reachable.contains(where: { $0.target == .route }) { return own }
            if rule.holdsAlways(asRuleAt: i) == true { return nil }
        }
        return rules.isEmpty ? own : "a connection no traffic-split rule holds for goes to the route's own upstream"
    }

    /// The `upstream_id`s the plugin names, in every rule.
    public var upstreamIDs: [String] {
        rules.flatMap(\.weightedUpstreams).compactMap { if case .upstreamID(let id) = $0.target { id } else { nil } }
    }

    /// Hashed on the weights and upstream ids only (an inline upstream is Equatable, not Hashable): equal values
    /// still hash equally.
    public func hash(into hasher: inout Hasher) {
        for entry in rules.flatMap(\.weightedUpstreams) {
            hasher.combine(entry.weight)
            if case .upstreamID(let id) = entry.target { hasher.combine(id) }
        }
    }

    static func decode(_ r: inout FieldReader) -> TrafficSplitConfig? {
        var rules: [Rule] = []
        var valid = true
        if let value = r.raw("rules") {
            guard case .list(let items) = value.kind else {
                r.report("rules", "must be a list, got \(value.typeName)")
                return nil
            }
            for (i, item) in items.enumerated() {
                guard let rule = decodeRule(item, path: FieldPath.index(r.child("rules"), i), problems: r.problems)
                else { valid = false; continue }
                rules.append(rule)
            }
        }
        r.rejectUnknownFields()
        guard valid else { return nil }
        return TrafficSplitConfig(rules: rules)
    }

    private static func decodeRule(_ value: ConfigValue, path: String, problems: Problems) -> Rule? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var valid = true
        var match: [VarsExpression]?
        if let list = r.raw("match") {
            if case .list(let items) = list.kind {
                match = []
                for (i, item) in items.enumerated() {
                    if let vars = decodeMatch(item, path: FieldPath.index(r.child("match"), i), problems: problems) {
                        match?.append(vars)
                    } else {
                        valid = false
                    }
                }
            } else {
                r.report("match", "must be a list of {vars: [...]}, got \(list.typeName)")
                valid = false
            }
        }
        var entries = [WeightedUpstream(.route)]
        if let list = r.raw("weighted_upstreams") {
            if case .list(let items) = list.kind, (1...20).contains(items.count) {
                entries = []
                for (i, item) in items.enumerated() {
                    let p = FieldPath.index(r.child("weighted_upstreams"), i)
                    if let entry = decodeEntry(item, path: p, problems: problems) { entries.append(entry) } else {
                        valid = false
                    }
                }
            } else {
                let got = if case .list(let items) = list.kind { "\(items.count) items" } else { list.typeName }
                r.report("weighted_upstreams", "must be a list of 1 to 20 weighted upstreams, got \(got)")
                valid = false
            }
        }
        r.rejectUnknownFields()
        return valid ? Rule(match: match, weightedUpstreams: entries) : nil
    }

    /// One `match` entry: `{vars: [...]}` (APISIX refuses an entry without `vars`: "missing argument rule").
    private static func decodeMatch(_ value: ConfigValue, path: String, problems: Problems) -> VarsExpression? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let vars = r.required("vars")
        r.rejectUnknownFields()
        return vars.flatMap { VarsExpression.decode($0, path: r.child("vars"), problems: problems) }
    }

    private static func decodeEntry(_ value: ConfigValue, path: String, problems: Problems) -> WeightedUpstream? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let id = r.id("upstream_id")
        let idWritten = value["upstream_id"].map { !$0.isNull } ?? false
        var inline: Upstream?
        var inlineWritten = false
        if let up = r.raw("upstream") {
            inlineWritten = true
            inline = Upstream.decode(up, path: r.child("upstream"), inline: true, problems: problems)
        }
        let weight = r.int("weight", in: 0...Int(Int32.max)) ?? 1
        r.rejectUnknownFields()
        if idWritten && inlineWritten {
            r.report("upstream", "give upstream_id or upstream, not both")
            return nil
        }
        if let id { return WeightedUpstream(.upstreamID(id), weight: weight) }
        if let inline { return WeightedUpstream(.inline(inline), weight: weight) }
        return idWritten || inlineWritten ? nil : WeightedUpstream(.route, weight: weight)
    }
}
