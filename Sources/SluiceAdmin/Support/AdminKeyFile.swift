import Foundation
import SluiceConfig

/// The admin key's first-start bootstrap: when `admin.key` is absent from `config.yaml`, a random 32-hex key is
/// generated and written back into the file (crash-safe, mode 0600), keeping the operator's layout and comments
/// where the file's shape allows, else rewriting it from its parsed form.
public enum AdminKeyFile {
    /// Why the key could not be written.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new key: 16 random bytes as 32 lower-case hex digits.
    public static func generateKey() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &rng)) }.joined()
    }

    /// Writes `key` into the `admin:` section of the config file at `path` under `root` (`sluice`/`apisix`).
    /// - Throws: `Failure` when the file cannot be read, changed so that it still parses, or written.
    public static func store(key: String, root: String, path: String) throws(Failure) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "cannot read \(path)")
        }
        let candidates = [ConfigTextEdit.insertingAdminKey(key, root: root, into: text), rewritten(text, key: key, root: root)]
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard let out = candidates.compactMap({ $0 }).first(where: { holds(key, $0, directory: directory) }) else {
            throw Failure(description: "cannot add admin.key to \(path); add `key:` under `admin:` by hand")
        }
        do { try AtomicFile.write(out, to: path, mode: 0o600) } catch { throw Failure(description: error.description) }
    }

    /// The whole file re-rendered from its parsed form with the key set (comments are lost).
    private static func rewritten(_ text: String, key: String, root: String) -> String? {
        guard var doc = try? ConfigValue.parseYAML(text, file: "config.yaml"), var r = doc[root] else { return nil }
        var admin = r["admin"].flatMap { $0.entries != nil ? $0 : nil } ?? .map([])
        admin["key"] = .string(key)
        r["admin"] = admin
        doc[root] = r
        return doc.yamlText()
    }

    private static func holds(_ key: String, _ text: String, directory: String) -> Bool {
        guard let value = try? ConfigValue.parseYAML(text, file: "config.yaml"),
              let settings = try? NodeSettings.decode(value, file: "config.yaml", directory: directory) else { return false }
        return settings.admin.key == key
    }
}
