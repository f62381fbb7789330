import Foundation
import Testing
import SluiceConfig
@testable import SluiceImport

/// Seeded fuzzing of the whole import: token soup and mutations of the table's snippets must never trap; a parse
/// error must point at a line of the input; and whatever translates into routes must pass Sluice's validation.
struct ImportFuzzTests {
    static let casesPerSeed = 2_000
    static let seeds: [UInt64] = [1, 0x5EED_0000_1414, 0xC0FF_EE00_0000_0003]

    /// Words nginx stream configurations are made of.
    static let words = ["stream", "server", "upstream", "u", "listen", "proxy_pass", "map", "hostnames", "default",
                        "$ssl_preread_server_name", "$v", "ssl_preread", "on", "off", "udp", "ssl", "proxy_protocol",
                        "127.0.0.1:9", "[::1]:9", "9", "0", "70000", "1-5", "a.example", ".example", "*.example",
                        "weight=2", "backup", "down", "max_fails=1", "hash", "$remote_addr", "consistent",
                        "least_conn", "random", "proxy_timeout", "10s", "5m", "30000ms", "proxy_responses",
                        "proxy_next_upstream_tries", "log_format", "access_log", "/tmp/x.log", "f", "'$status'",
                        "\"q;{}\"", "include", "*.none", "{", "}", ";", "#c\n", "\n", " ", "\\", "'", "\""]

    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    @Test(arguments: seeds)
    func fuzz(seed: UInt64) throws {
        var random = Random(state: seed)
        let corpus = TranslationTests.cases.map(\.nginx)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("import-fuzz-\(seed)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = (dir as NSString).appendingPathComponent("fuzz.conf")
        var failures = 0
        for iteration in 0..<Self.casesPerSeed {
            let text = random.below(3) == 0 ? soup(&random) : mutate(corpus[random.below(corpus.count)], &random)
            if let problem = check(text, file: file, directory: dir) {
                Issue.record("seed \(seed) iteration \(iteration): \(problem)\n---\n\(text)\n---")
                failures += 1
                if failures >= 3 { return }
            }
        }
    }

    private func soup(_ random: inout Random) -> String {
        (0..<random.below(60)).map { _ in Self.words[random.below(Self.words.count)] + (random.below(2) == 0 ? " " : "") }
            .joined()
    }

    private func mutate(_ text: String, _ random: inout Random) -> String {
        var chars = Array(text)
        for _ in 0..<(1 + random.below(4)) {
            let i = random.below(chars.count + 1)
            switch random.below(3) {
            case 0 where i < chars.count: chars.remove(at: i)
            case 1: chars.insert(contentsOf: Self.words[random.below(Self.words.count)], at: i)
            default: if i < chars.count { chars[i] = Array(";{}\"' \n#$")[random.below(9)] }
            }
        }
        return String(chars)
    }

    /// Nil when the import behaved.
    private func check(_ text: String, file: String, directory: String) -> String? {
        var parser = NginxParser()
        let tree: [NginxDirective]
        do { tree = try parser.parse(text: text, file: file) } catch {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if error.location.file == file && !(1...max(1, lines)).contains(error.location.line) {
                return "error line \(error.location.line) outside 1…\(lines): \(error)"
            }
            return nil
        }
        let result = NginxImporter.translate(tree, baseDirectory: directory)
        guard result.routeCount > 0 else { return nil }
        let (config, gateway) = ImportWriter.texts(result)
        do {
            _ = try Store.decodeFile(gateway, name: "gateway.yaml")
            let value = try ConfigValue.parseYAML(config, file: "config.yaml")
            _ = try NodeSettings.decode(value, file: "config.yaml", directory: directory)
        } catch {
            return "output does not validate: \(error)\n\(config)\n\(gateway)"
        }
        return nil
    }
}
