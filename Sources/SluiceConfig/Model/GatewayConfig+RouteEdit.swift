extension GatewayConfig {
    /// This configuration with stream route `id` replaced by `value` (added, when there is none) — what decoding
    /// the whole changed document gives — found by decoding `value` alone and checking only the rules that
    /// involve it (`checkRoute`, and its id being its own): no other object refers to a stream route, so nothing
    /// else in a valid configuration can break.
    /// Call it only on a configuration that validated. Nil when `value` has any problem; the whole document then
    /// says which (`GatewayConfig.decode`).
    func puttingStreamRoute(id: String, value: ConfigValue) -> GatewayConfig? {
        let index = streamRoutes.firstIndex { $0.id == id }
        let position = index ?? streamRoutes.count
        let problems = Problems(file: nil)
        let path = FieldPath.index(ResourceKind.streamRoutes.rawValue, position)
        guard let route = StreamRoute.decode(value, path: path, problems: problems), problems.isEmpty,
              route.id == id else { return nil }
        var config = self
        if let index { config.streamRoutes[index] = route } else { config.streamRoutes.append(route) }
        config.checkRoute(route, at: position, problems: problems, lines: nil)
        return problems.isEmpty ? config : nil
    }

    /// This configuration without stream route `id`, still valid (nothing refers to a stream route); nil when
    /// there is no such route.
    func removingStreamRoute(id: String) -> GatewayConfig? {
        guard let index = streamRoutes.firstIndex(where: { $0.id == id }) else { return nil }
        var config = self
        config.streamRoutes.remove(at: index)
        return config
    }
}
