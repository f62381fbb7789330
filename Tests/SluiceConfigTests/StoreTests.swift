import Foundation
import Testing
@testable import SluiceConfig

/// The single writer: validated, persisted atomically, revisions, nothing changed on failure.
struct StoreTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "sluice-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    var file: String { dir + "/gateway.yaml" }

    func route(_ id: String, port: Int = 6379) throws -> ConfigValue {
        try ConfigValue.parseJSON(Array(#"{"id":"\#(id)","upstream":{"nodes":{"127.0.0.1:\#(port)":1}}}"#.utf8))
    }

    @Test func missingFileIsCreatedEmpty() throws {
        let store = try Store(dataFile: file)
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(store.snapshot.config.streamRoutes.isEmpty)
    }

    @Test func putPersistsAndBumpsRevisions() throws {
        let store = try Store(dataFile: file)
        let s1 = try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let s2 = try store.apply(.put(.streamRoutes, id: "2", value: try route("2")), source: .adminAPI)
        let s3 = try store.apply(.put(.streamRoutes, id: "1", value: try route("1", port: 6380)), source: .adminAPI)
        #expect(s1.revision < s2.revision && s2.revision < s3.revision)
        #expect(s3.objectRevision(.streamRoutes, "1") == ObjectRevision(created: s1.revision, modified: s3.revision))
        #expect(s3.objectRevision(.streamRoutes, "2") == ObjectRevision(created: s2.revision, modified: s2.revision))
        let reread = try Store(dataFile: file)
        #expect(reread.snapshot.config == s3.config)
    }

    @Test func failedApplyLeavesFileByteIdentical() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let revision = store.snapshot.revision
        #expect(throws: StoreError.self) { try store.apply(.put(.streamRoutes, id: "2", value: try route("2", port: 70000)), source: .adminAPI) }
        #expect(throws: StoreError.self) { try store.apply(.delete(.upstreams, id: "nope"), source: .adminAPI) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        #expect(store.snapshot.revision == revision)
    }

    @Test func aFailedWritePutsTheOldSnapshotBack() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let published = SeenRevisions()
        store.subscribe { published.add($0.revision) }
        // The data file's temporary file cannot be created: a directory holds its name (root ignores modes).
        let tmp = "\(dir)/.gateway.yaml.tmp-\(getpid())"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        #expect(throws: StoreError.self) { try store.apply(.put(.streamRoutes, id: "2", value: try route("2")), source: .adminAPI) }
        // The engine took revision 3 before the write and was given revision 2 back when it failed.
        #expect(published.all == [2, 3, 2])
        #expect(store.snapshot.revision == 2 && store.revisions.map(\.number) == [2, 1])
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        try FileManager.default.removeItem(atPath: tmp)
        #expect(try store.apply(.put(.streamRoutes, id: "2", value: try route("2")), source: .adminAPI).revision == 3)
        #expect(published.all == [2, 3, 2, 3])
    }

    @Test func deletingAReferencedUpstreamIsRefused() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.upstreams, id: "u", value: try ConfigValue.parseJSON(Array(#"{"id":"u","nodes":{"127.0.0.1:1":1}}"#.utf8))), source: .adminAPI)
        try store.apply(.put(.streamRoutes, id: "r", value: try ConfigValue.parseJSON(Array(#"{"id":"r","upstream_id":"u"}"#.utf8))), source: .adminAPI)
        #expect(throws: StoreError.self) { try store.apply(.delete(.upstreams, id: "u"), source: .adminAPI) }
    }

    @Test func serviceTypeAndSchemeAreFixed() throws {
        let store = try Store(dataFile: file)
        let tcp = try ConfigValue.parseJSON(Array(#"{"id":"s","type":"stream","scheme":"tcp","upstream":{"nodes":{"127.0.0.1:1":1}}}"#.utf8))
        let udp = try ConfigValue.parseJSON(Array(#"{"id":"s","type":"stream","scheme":"udp","upstream":{"nodes":{"127.0.0.1:1":1}}}"#.utf8))
        try store.apply(.put(.services, id: "s", value: tcp), source: .adminAPI)
        do {
            try store.apply(.put(.services, id: "s", value: udp), source: .adminAPI)
            Issue.record("scheme change accepted")
        } catch {
            #expect(error.description.contains("service type/scheme cannot be changed after creation"))
        }
    }

    @Test func invalidFileAtStartIsReportedAndKept() throws {
        let text = "stream_routes:\n  - id: 1\n    upstream: {nodes: {\"127.0.0.1:70000\": 1}}\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigErrors.self) { try Store(dataFile: file) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
    }

    @Test func reloadKeepsRunningConfigWhenFileIsInvalid() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let good = store.snapshot
        try "stream_routes: [\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try store.reloadFromDisk() }
        #expect(store.snapshot === good)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "stream_routes: [\n")
    }

    @Test func concurrentAppliesAreSerialized() async throws {
        let store = try Store(dataFile: file)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask { _ = try? store.apply(.put(.streamRoutes, id: "r\(i)", value: try route("r\(i)")), source: .adminAPI) }
            }
        }
        #expect(store.snapshot.config.streamRoutes.count == 40)
        #expect(store.snapshot.revision == 41)
        #expect(try Store(dataFile: file).snapshot.config.streamRoutes.count == 40)
    }

    @Test func subscribersSeeEverySnapshotInOrder() throws {
        let store = try Store(dataFile: file)
        let seen = SeenRevisions()
        store.subscribe { seen.add($0.revision) }
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        try store.apply(.delete(.streamRoutes, id: "1"), source: .adminAPI)
        #expect(seen.all == [1, 2, 3])
    }
}

final class SeenRevisions: @unchecked Sendable {
    private var values: [Int] = []
    private let lock = NSLock()
    func add(_ v: Int) { lock.withLock { values.append(v) } }
    var all: [Int] { lock.withLock { values } }
}
