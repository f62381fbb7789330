import SluiceConfig
import Testing
@testable import SluiceAdmin

/// RFC 7386 merge patch (its appendix A examples) and sub-path replace.
struct JSONMergePatchTests {
    func json(_ text: String) throws -> ConfigValue { try ConfigValue.parseJSON(Array(text.utf8)) }

    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func rfc7386Examples(_ target: String, _ patch: String, _ result: String) throws {
        #expect(JSONMergePatch.apply(try json(patch), to: try json(target)) == (try json(result)))
    }

    @Test func subPathReplace() throws {
        let doc = try json(#"{"id":"1","upstream":{"nodes":[{"host":"a","port":1},{"host":"b","port":2}]}}"#)
        let out = try JSONMergePatch.replace(at: ["upstream", "nodes", "1", "port"], in: doc, with: .int(9))
        #expect(out == (try json(#"{"id":"1","upstream":{"nodes":[{"host":"a","port":1},{"host":"b","port":9}]}}"#)))
        let added = try JSONMergePatch.replace(at: ["desc"], in: doc, with: .string("x"))
        #expect(added["desc"] == .string("x"))
        #expect(throws: AdminError.self) { try JSONMergePatch.replace(at: ["upstream", "nodes", "5"], in: doc, with: .null) }
        #expect(throws: AdminError.self) { try JSONMergePatch.replace(at: ["id", "x"], in: doc, with: .null) }
    }

    @Test func deepSubPathsAreRefusedWithoutRecursing() throws {
        let doc = try json(#"{"id":"1"}"#)
        let deep = Array(repeating: "a", count: 12_000) + ["b"]
        do {
            _ = try JSONMergePatch.replace(at: deep, in: doc, with: .int(1))
            Issue.record("accepted")
        } catch {
            #expect(error.response.status == 400)
            #expect(error.response.body.contains("at most 32 segments, got 12001"))
        }
        let limit = Array(repeating: "a", count: JSONMergePatch.maxSubPathDepth)
        var out = try JSONMergePatch.replace(at: limit, in: doc, with: .int(7))
        for _ in 0..<JSONMergePatch.maxSubPathDepth { out = out["a"] ?? .null }
        #expect(out == .int(7))
    }

    @Test func largePatchesMergeInLinearTime() throws {
        let keys = (0..<50_000).map { "k\($0)" }
        let target = ConfigValue.map(keys.map { ($0, .int(1)) })
        let patch = ConfigValue.map(keys.reversed().map { ($0, .int(2)) } + [("k7", .null), ("new", .int(3))])
        let start = threadCPUTime()  // CPU, not wall time: a loaded box preempts, it adds no CPU time
        let merged = JSONMergePatch.apply(patch, to: target)
        let time = threadCPUTime() - start
        #expect(merged.entries?.count == 50_000)
        #expect(merged["k0"] == .int(2) && merged["k7"] == nil && merged["new"] == .int(3))
        #expect(merged.entries?.first?.key == "k0", "order of the target is kept")
        #expect(time < .seconds(2))
    }
}
