import Foundation
import Testing
@testable import SluiceConfig

/// Documents built to exhaust memory, stack or time are refused (or parsed) in time proportional to their size.
struct HostileDocumentTests {
    func yamlError(_ text: String) -> String? {
        do {
            _ = try ConfigValue.parseYAML(text, file: "gateway.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    /// 9 levels of 10 aliases: 482 bytes that expand to 10⁹ leaves.
    static let billionLaughs: String = {
        var lines = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        let names = Array("abcdefghi")
        for (prev, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefusedBeforeExpansion() {
        let start = ContinuousClock.now
        #expect(yamlError(Self.billionLaughs) == "gateway.yaml:1: YAML anchors (&name) are not supported; write the value out")
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func aliasWithoutAnchorIsRefusedWithItsLine() {
        #expect(yamlError("a: 1\nb: *nothing\n") == "gateway.yaml:2: YAML aliases (*name) are not supported; write the value out")
    }

    @Test func ampersandsAndStarsInTextAreNotAnchors() throws {
        let value = try ConfigValue.parseYAML("""
        # a comment with &anchor and *alias
        desc: fish & chips *today*
        quoted: "&a *b"
        single: '&c'
        block: |
          - &d
          - *d
        """, file: "gateway.yaml")
        #expect(value["desc"]?.stringValue == "fish & chips *today*")
        #expect(value["quoted"]?.stringValue == "&a *b")
        #expect(value["single"]?.stringValue == "&c")
        #expect(value["block"]?.stringValue == "- &d\n- *d")
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(yamlError(deep) == "gateway.yaml:1: nested too deeply: at most 64 levels")
        let block = (0..<100).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(yamlError(block) == "gateway.yaml:65: nested too deeply: at most 64 levels")
        // libyaml's own bound (1,000 flow levels) refuses deeper flow nesting while scanning ahead
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(yamlError(deeper)?.hasPrefix("gateway.yaml:1: invalid YAML") == true)
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(yamlError(ok) == nil)
    }

    @Test func oversizedDocumentIsRefused() {
        let big = "a: \"" + String(repeating: "x", count: YAMLPreflight.maxBytes) + "\"\n"
        #expect(yamlError(big)?.hasPrefix("gateway.yaml: document too large: at most 33554432 bytes") == true)
    }

    @Test func tooManyNodesAreRefused() {
        let many = "[" + String(repeating: "1,", count: YAMLPreflight.maxNodes) + "1]"
        #expect(yamlError(many) == "gateway.yaml:1: document too large: at most 2000000 nodes")
    }

    @Test func fiftyThousandKeysParseInLinearTime() throws {
        // Growth, not a wall-clock bound: ten times the keys must cost far less than the hundred times a quadratic
        // duplicate check would. Each figure is this thread's CPU time (a loaded box preempts, it does not add
        // CPU time), the best of three.
        func documents(_ n: Int) -> (json: [UInt8], yaml: String) {
            let keys = (0..<n).map { "k\($0)" }
            return (Array(("{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}").utf8),
                    keys.map { "\($0): 1" }.joined(separator: "\n"))
        }
        func best(_ work: () throws -> Int?) throws -> Duration {
            var times: [Duration] = []
            for _ in 0..<3 {
                let start = threadCPUTime()
                #expect(try work() != nil)
                times.append(threadCPUTime() - start)
            }
            return times.min()!
        }
        let (small, large) = (documents(5_000), documents(50_000))
        #expect(try ConfigValue.parseJSON(large.json).entries?.count == 50_000)
        #expect(try ConfigValue.parseYAML(large.yaml, file: "gateway.yaml").entries?.count == 50_000)
        let json = try (best { try ConfigValue.parseJSON(small.json).entries?.count },
                        best { try ConfigValue.parseJSON(large.json).entries?.count })
        let yaml = try (best { try ConfigValue.parseYAML(small.yaml, file: "gateway.yaml").entries?.count },
                        best { try ConfigValue.parseYAML(large.yaml, file: "gateway.yaml").entries?.count })
        #expect(json.1 < json.0 * 40, "JSON: \(json.0) for 5,000 keys, \(json.1) for 50,000")
        #expect(yaml.1 < yaml.0 * 40, "YAML: \(yaml.0) for 5,000 keys, \(yaml.1) for 50,000")
    }

    @Test func duplicateKeysAreStillFound() {
        #expect(throws: ConfigError.self) { try ConfigValue.parseJSON(Array(#"{"a":1,"b":2,"a":3}"#.utf8)) }
        #expect(yamlError("a: 1\nb: 2\na: 3\n") != nil)
    }
}
