import Foundation
import Testing
@testable import SluiceConfig

/// The configuration history: a revision for every kind of change, numbering across restarts, retention,
/// diffs, rollback and its refusals — against real files in a temporary folder.
struct StoreRevisionTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "sluice-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    var file: String { dir + "/gateway.yaml" }
    var historyDir: String { dir + "/gateway.history" }

    func route(_ id: String, port: Int = 6379) throws -> ConfigValue {
        try ConfigValue.parseJSON(Array(#"{"id":"\#(id)","upstream":{"nodes":{"127.0.0.1:\#(port)":1}}}"#.utf8))
    }

    func write(_ text: String) throws { try text.write(toFile: file, atomically: true, encoding: .utf8) }

    func sources(_ store: Store) -> [ChangeSource] { store.revisions.reversed().map(\.source) }

    @Test func everyKindOfChangeIsARevision() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        try store.apply(.put(.streamRoutes, id: "2", value: try route("2")), source: .console)
        try store.apply(.delete(.streamRoutes, id: "2"), source: .console)
        try write("stream_routes:\n  - {id: \"1\", upstream: {nodes: {\"127.0.0.1:6380\": 1}}}\n")
        try store.reloadIfEdited()
        try write("stream_routes:\n  - {id: \"1\", upstream: {nodes: {\"127.0.0.1:6381\": 1}}}\n")
        try store.reloadFromDisk()
        try store.rollback(to: 2)
        #expect(sources(store) == [.start, .adminAPI, .console, .console, .file, .file, .rollback])
        #expect(store.revisions.map(\.number) == [7, 6, 5, 4, 3, 2, 1])
        #expect(store.snapshot.revision == 7)
        #expect(store.revision(2)?.changes == [ObjectChange(kind: .streamRoutes, id: "1", action: .create)])
        #expect(store.revision(4)?.changes == [ObjectChange(kind: .streamRoutes, id: "2", action: .delete)])
        #expect(store.revision(5)?.changes == [ObjectChange(kind: .streamRoutes, id: "1", action: .update)])
        #expect(store.revision(7)?.rolledBackTo == 2)
        // The hand edit's revision keeps the operator's text as written.
        #expect(try store.revisionDocument(5) == "stream_routes:\n  - {id: \"1\", upstream: {nodes: {\"127.0.0.1:6380\": 1}}}\n")
    }

    @Test func unchangedConfigurationRecordsNothing() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        try store.reloadFromDisk()
        #expect(store.revisions.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: historyDir).sorted() == ["r00000001.yaml", "r00000002.yaml"])
    }

    @Test func numberingContinuesAcrossRestarts() throws {
        do {
            let store = try Store(dataFile: file)
            try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
            try store.apply(.put(.streamRoutes, id: "2", value: try route("2")), source: .adminAPI)
        }
        let again = try Store(dataFile: file)
        #expect(again.snapshot.revision == 3 && again.revisions.count == 3)
        #expect(again.snapshot.objectRevision(.streamRoutes, "1") == ObjectRevision(created: 3, modified: 3))
        try again.apply(.delete(.streamRoutes, id: "2"), source: .adminAPI)
        #expect(again.snapshot.revision == 4)
        // Edited while stopped: the start records what changed since the last revision.
        try write("stream_routes:\n  - {id: \"9\", upstream: {nodes: {\"127.0.0.1:1\": 1}}}\n")
        let third = try Store(dataFile: file)
        #expect(third.snapshot.revision == 5)
        #expect(third.revision(5)?.source == .start)
        #expect(third.revision(5)?.changes == [ObjectChange(kind: .streamRoutes, id: "9", action: .create),
                                               ObjectChange(kind: .streamRoutes, id: "1", action: .delete)])
        #expect(third.revision(5)?.time == third.revisions.first?.time)
    }

    @Test func onlyTheNewestKeepAreKept() throws {
        let store = try Store(dataFile: file, historyKeep: 3)
        for i in 1...5 { try store.apply(.put(.streamRoutes, id: "\(i)", value: try route("\(i)")), source: .adminAPI) }
        #expect(store.revisions.map(\.number) == [6, 5, 4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: historyDir).sorted()
                == ["r00000004.yaml", "r00000005.yaml", "r00000006.yaml"])
        #expect(throws: StoreError.self) { try store.revisionDocument(3) }
        #expect(throws: StoreError.self) { try store.rollback(to: 3) }
        #expect(try Store(dataFile: file, historyKeep: 3).revisions.map(\.number) == [6, 5, 4])
    }

    @Test func historyFilesArePrivateAndThemselvesDataFiles() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let path = historyDir + "/r00000002.yaml"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(#"# sluice-revision: {"revision":2,"time":""#))
        #expect(try Store.decodeFile(text, name: "r").streamRoutes.map(\.id) == ["1"])
    }

    @Test func diffIsUnifiedTextOfTheConfigurationsAsWritten() throws {
        try write("stream_routes:\n  - id: \"1\"\n    upstream:\n      nodes:\n        \"127.0.0.1:1\": 1\n")
        let store = try Store(dataFile: file)
        try write("stream_routes:\n  - id: \"1\"\n    upstream:\n      nodes:\n        \"127.0.0.1:2\": 1\n")
        try store.reloadFromDisk()
        let diff = try store.diff(2)
        #expect(diff == """
        --- revision 1
        +++ revision 2
        @@ -2,4 +2,4 @@
         - id: "1"
           upstream:
             nodes:
        -      127.0.0.1:1: 1
        +      127.0.0.1:2: 1

        """)
        #expect(try store.diff(2, against: 2) == "")
        #expect(try store.diff(1).hasPrefix("--- (empty)\n+++ revision 1\n@@ -0,0 +1,5 @@\n+stream_routes:\n"))
        #expect(throws: StoreError.self) { try store.diff(2, against: 9) }
    }

    @Test func rollbackRestoresTheRevisionsFile() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        let two = try String(contentsOfFile: file, encoding: .utf8)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1", port: 7000)), source: .adminAPI)
        let published = SeenRevisions()
        store.subscribe { published.add($0.revision) }
        let after = try store.rollback(to: 2)
        #expect(after.revision == 4 && published.all == [3, 4])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == two)
        #expect(after.config.streamRoutes.first?.upstream?.nodes.first?.port == 6379)
        #expect(try store.reloadIfEdited() == nil)  // the store's own write, not a hand edit
        // Rolling back to what is in force records nothing.
        #expect(try store.rollback(to: 4).revision == 4)
        #expect(store.revisions.count == 4)
    }

    @Test func rollbackWithIfMatchOfAnOlderRevisionIsAConflict() throws {
        let store = try Store(dataFile: file)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1")), source: .adminAPI)
        try store.apply(.put(.streamRoutes, id: "1", value: try route("1", port: 7000)), source: .adminAPI)
        #expect {
            try store.rollback(to: 2, ifRevision: 2)
        } throws: { error in
            guard case .conflict(let why)? = error as? StoreError else { return false }
            return why.contains("revision 3, not 2")
        }
        #expect(store.revisions.count == 3)
        #expect(try store.rollback(to: 2, ifRevision: 3).revision == 4)
    }

    @Test func rollbackThatNoLongerValidatesIsRefused() throws {
        let store = try Store(dataFile: file)
        let tcp = try ConfigValue.parseJSON(Array(#"{"id":"s","type":"stream","scheme":"tcp","upstream":{"nodes":{"127.0.0.1:1":1}}}"#.utf8))
        let udp = try ConfigValue.parseJSON(Array(#"{"id":"s","type":"stream","scheme":"udp","upstream":{"nodes":{"127.0.0.1:1":1}}}"#.utf8))
        try store.apply(.put(.services, id: "s", value: tcp), source: .adminAPI)
        try store.apply(.delete(.services, id: "s"), source: .adminAPI)
        try store.apply(.put(.services, id: "s", value: udp), source: .adminAPI)
        let before = try String(contentsOfFile: file, encoding: .utf8)
        #expect(throws: StoreError.self) { try store.rollback(to: 2) }
        // A revision file damaged on disk is refused with its own name and line.
        try "# sluice-revision: {\"revision\":3}\nstream_routes: 7\n".write(
            toFile: historyDir + "/r00000003.yaml", atomically: true, encoding: .utf8)
        do {
            try store.rollback(to: 3)
            Issue.record("damaged revision accepted")
        } catch {
            #expect(error.description.contains("gateway.history/r00000003.yaml:2"))
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == before)
        #expect(store.revisions.count == 4)
    }

    @Test func privateKeysAreLeftOutOfDocuments() {
        let text = "ssls:\n  - key: |\n      -----BEGIN PRIVATE KEY-----\n      MIIEsecret\n      more\n"
            + "      -----END PRIVATE KEY-----\n    cert: \"-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----\"\n"
            + "  - key: \"-----BEGIN EC PRIVATE KEY-----\\nsecret\\n-----END EC PRIVATE KEY-----\\n\"\n"
        #expect(PrivateKeyRedaction.redact(text) == "ssls:\n  - key: |\n      -----BEGIN PRIVATE KEY-----\n"
            + "      (private key not shown)\n      -----END PRIVATE KEY-----\n"
            + "    cert: \"-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----\"\n"
            + "  - key: \"-----BEGIN EC PRIVATE KEY-----(private key not shown)-----END EC PRIVATE KEY-----\\n\"\n")
    }
}
