import Foundation

/// Reads `config.yaml` and the data file it names, as `sluice validate` and start-up do.
public enum ConfigFiles {
    /// Loads and validates `config.yaml`.
    /// - Throws: `ConfigErrors` with `config.yaml:LINE: path: why` entries.
    public static func loadSettings(path: String) throws(ConfigErrors) -> NodeSettings {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigErrors([ConfigError(file: name, path: "", message: "cannot read \(path)")])
        }
        let value: ConfigValue
        do { value = try ConfigValue.parseYAML(text, file: name) } catch { throw ConfigErrors([error]) }
        return try NodeSettings.decode(value, file: name, directory: url.deletingLastPathComponent().path)
    }

    /// What `sluice validate` reports: errors (the files cannot be used) and warnings (they can, but something in
    /// them cannot work, see `ConfigWarnings`).
    public struct Report: Sendable {
        public var errors: [ConfigError] = []
        public var warnings: [ConfigError] = []
    }

    /// The errors of `check` alone; empty when both files can be used.
    public static func validate(configPath: String) -> [ConfigError] { check(configPath: configPath).errors }

    /// Checks both files without changing anything; a missing data file is fine (it would be created empty), and
    /// so is any: with `config_provider: etcd` the data file is not read.
    public static func check(configPath: String) -> Report {
        let settings: NodeSettings
        do { settings = try loadSettings(path: configPath) } catch { return Report(errors: error.errors) }
        guard settings.deployment.provider == .yaml, FileManager.default.fileExists(atPath: settings.dataFile) else {
            return Report()
        }
        let name = URL(fileURLWithPath: settings.dataFile).lastPathComponent
        guard let text = try? String(contentsOfFile: settings.dataFile, encoding: .utf8) else {
            return Report(errors: [ConfigError(file: name, path: "", message: "cannot read \(settings.dataFile)")])
        }
        do {
            let config = try Store.decodeFile(text, name: name)
            return Report(warnings: ConfigWarnings.find(in: config, listeners: settings.listeners, file: name))
        } catch {
            return Report(errors: error.errors)
        }
    }
}
