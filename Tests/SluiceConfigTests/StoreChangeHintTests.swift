import Foundation
import Testing
@testable import SluiceConfig

/// `ConfigSnapshot.onlyStreamRouteChanged`: set exactly when the snapshot is the previous revision's with that one
/// stream route put or deleted, which the engine then trusts instead of comparing every route.
struct StoreChangeHintTests {
    static func json(_ text: String) throws -> ConfigValue { try ConfigValue.parseJSON(Array(text.utf8)) }

    @Test func aRouteEditNamesTheRouteAndNothingElseDoes() throws {
        let dir = NSTemporaryDirectory() + "sluice-hint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "upstreams:\n  - {id: u1, nodes: {\"127.0.0.1:6379\": 1}}\n"
            .write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dir + "/gateway.yaml", historyKeep: 2)
        var previous = store.snapshot
        for (step, change) in [
            ConfigChange.put(.streamRoutes, id: "a", value: try Self.json(#"{"id":"a","upstream_id":"u1"}"#)),
            .put(.streamRoutes, id: "b", value: try Self.json(#"{"id":"b","upstream_id":"u1","server_port":9}"#)),
            .put(.streamRoutes, id: "a", value: try Self.json(#"{"id":"a","upstream_id":"u1","server_port":7}"#)),
            .delete(.streamRoutes, id: "a"),
            .put(.upstreams, id: "u1", value: try Self.json(#"{"id":"u1","nodes":{"127.0.0.2:1":1}}"#)),
        ].enumerated() {
            let snapshot = try store.apply(change, source: .adminAPI)
            #expect(snapshot.revision == previous.revision + 1)
            switch change {
            case .put(.streamRoutes, let id, _), .delete(.streamRoutes, let id):
                #expect(snapshot.onlyStreamRouteChanged == id, "step \(step)")
                let others = { (c: GatewayConfig) in c.streamRoutes.filter { $0.id != id } }
                #expect(others(snapshot.config) == others(previous.config), "step \(step)")
                #expect(snapshot.config.upstreams == previous.config.upstreams)
            default:
                #expect(snapshot.onlyStreamRouteChanged == nil, "step \(step)")
            }
            previous = snapshot
        }
    }

    @Test func anOutOfLineValueComparesByValue() {
        var a = OutOfLine<Int>(wrappedValue: nil)
        var b = OutOfLine<Int>(wrappedValue: nil)
        #expect(a == b && a.isNone)
        a.wrappedValue = 3
        #expect(a != b && !a.isNone)
        b.wrappedValue = 3
        #expect(a == b)
        let c = a
        a.wrappedValue = 4
        #expect(c.wrappedValue == 3 && a.wrappedValue == 4)
    }
}
