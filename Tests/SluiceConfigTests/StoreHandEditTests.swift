import Foundation
import Testing
@testable import SluiceConfig

/// Hand edits: own writes ignored, broken files kept and protected, read-modify-write transactions.
struct StoreHandEditTests {
    let file = NSTemporaryDirectory() + "sluice-handedit-\(UUID().uuidString).yaml"

    func route(_ id: String) throws -> ConfigValue {
        try ConfigValue.parseJSON(Array(#"{"id":"\#(id)","upstream":{"nodes":{"127.0.0.1:1":1}}}"#.utf8))
    }

    @Test func ownWritesAreNotHandEdits() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        #expect(try store.reloadIfEdited() == nil)
        try "stream_routes:\n  - {id: \"2\", upstream: {nodes: {\"127.0.0.1:1\": 1}}}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try store.reloadIfEdited()?.config.streamRoutes.map(\.id) == ["2"])
    }

    @Test func brokenFileRefusesWritesAndIsNotOverwritten() throws {
        let store = try Store(dataFile: file)
        let broken = "stream_routes: [\n"
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try store.reloadIfEdited() }
        #expect(store.dataFileErrors != nil)
        do {
            try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
            Issue.record("write accepted over a broken file")
        } catch {
            guard case StoreError.dataFileBroken? = error as? StoreError else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == broken)
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)  // catches up with the fix first
        #expect(store.dataFileErrors == nil && store.snapshot.config.streamRoutes.count == 1)
    }

    @Test func updateSeesTheSnapshotItChanges() throws {
        let store = try Store(dataFile: file)
        let s = try store.update(source: .adminAPI) { snapshot in .put(.streamRoutes, id: "r\(snapshot.revision)", value: try route("r\(snapshot.revision)")) }
        #expect(s.config.streamRoutes.map(\.id) == ["r1"])
        let same = try store.update(source: .adminAPI) { _ in nil }
        #expect(same === s)
    }
}
