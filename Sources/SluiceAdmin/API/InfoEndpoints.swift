import SluiceConfig
import SluiceEngine

/// The read-only endpoints about the running gateway: `/apisix/admin/status` and `/v1/healthcheck`.
struct InfoEndpoints: Sendable {
    let store: Store
    let engineSnapshot: @Sendable () -> EngineSnapshot?

    /// `{"revision", "data_file", "data_file_error", "data_file_errors"}`: the error fields say why a hand edit of
    /// the data file is not in force (`file:line: path: why`); null / empty when the file is applied.
    func status() -> AdminResponse {
        let errors = store.dataFileErrors?.errors.map(\.description) ?? []
        return AdminResponse(status: 200, json: .map([
            ("revision", .int(store.snapshot.revision)),
            ("data_file", .string(store.dataFile)),
            ("data_file_error", errors.isEmpty ? .null : .string(errors.joined(separator: "; "))),
            ("data_file_errors", .list(errors.map { .string($0) })),
        ]))
    }

    /// APISIX control API shape: one entry per upstream in use, its nodes with `status: "unknown"` until health
    /// checks exist.
    func healthcheck() -> AdminResponse {
        let upstreams = engineSnapshot()?.upstreams ?? []
        let list: [ConfigValue] = upstreams.map { up in
            .map([
                ("name", .string("/apisix/\(up.key)")),
                ("type", .string("tcp")),
                ("nodes", .list(up.nodes.map { node in
                    let (host, port) = Self.split(node.address)
                    return .map([("ip", .string(host)), ("port", .int(port)), ("weight", .int(node.weight)),
                                 ("status", .string("unknown"))])
                })),
            ])
        }
        return AdminResponse(status: 200, json: .list(list))
    }

    /// `127.0.0.1:80` / `[::1]:80` ⇒ host and port.
    static func split(_ address: String) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":") else { return (address, 0) }
        let host = address[..<colon].filter { $0 != "[" && $0 != "]" }
        return (String(host), Int(address[address.index(after: colon)...]) ?? 0)
    }
}
