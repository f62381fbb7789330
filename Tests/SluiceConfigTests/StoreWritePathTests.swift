import Dispatch
import Foundation
import Testing
@testable import SluiceConfig

/// The one write path (`writeObject`, `deleteObject`) and the readers' own lock.
struct StoreWritePathTests {
    let file = NSTemporaryDirectory() + "sluice-writepath-\(UUID().uuidString).yaml"

    func value(_ json: String) throws -> ConfigValue { try ConfigValue.parseJSON(Array(json.utf8)) }

    @Test func writesAreStampedAndCheckedInTheTransaction() throws {
        let store = try Store(dataFile: file)
        let first = try store.writeObject(.upstreams, source: .console, now: 100) { _ in
            ("u", try value(#"{"nodes":{"127.0.0.1:1":1},"create_time":5}"#))
        }
        #expect(first.created && first.value.entries?.first?.key == "id")
        #expect(first.value["create_time"] == .int(5) && first.value["update_time"] == .int(100))
        let second = try store.writeObject(.upstreams, source: .console, now: 200) { snapshot in
            #expect(snapshot.objectRevision(.upstreams, "u")?.modified == first.snapshot.revision)
            return ("u", try value(#"{"nodes":{"127.0.0.1:2":1}}"#))
        }
        #expect(!second.created && second.value["create_time"] == .int(5) && second.value["update_time"] == .int(200))
        do {
            _ = try store.writeObject(.ssls, source: .console, now: 1) { _ in
                ("s", try value(#"{"snis":["a"],"cert":"-----BEGIN CERTIFICATE-----\nAA==\n","key":"k"}"#))
            }
            Issue.record("bad PEM accepted")
        } catch let error as StoreError {
            #expect(error.description.contains("ssls[0].cert: must be a PEM certificate"))
            #expect(error.description.contains("ssls[0].key: must be a PEM private key"))
        }
        #expect(throws: StoreError.self) { try store.deleteObject(.upstreams, id: "nope", source: .console) }
        try store.deleteObject(.upstreams, id: "u", source: .console)
        #expect(store.snapshot.config.upstreams.isEmpty && store.revisions.first?.source == .console)
    }

    @Test func readsDoNotWaitForAWriter() throws {
        let store = try Store(dataFile: file)
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), read = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? store.update(source: .adminAPI) { _ in
                inside.signal()
                _ = release.wait(timeout: .now() + 10)
                return nil
            }
        }
        #expect(inside.wait(timeout: .now() + 10) == .success, "the writer holds the lock")
        DispatchQueue.global().async {
            _ = store.snapshot
            _ = store.revisions
            _ = store.dataFileErrors
            read.signal()
        }
        // Had the reads waited for the writer, they would finish only after the release below.
        #expect(read.wait(timeout: .now() + 5) == .success)
        release.signal()
    }
}
