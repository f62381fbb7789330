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

    /// Checks both files without changing anything; a missing data file is fine (it would be created empty).
    /// - Returns: every error found, empty when both files are valid.
    public static func validate(configPath: String) -> [ConfigError] {
        let settings: NodeSettings
        do { settings = try loadSettings(path: configPath) } catch { return error.errors }
        guard FileManager.default.fileExists(atPath: settings.dataFile) else { return [] }
        let name = URL(fileURLWithPath: settings.dataFile).lastPathComponent
        guard let text = try? String(contentsOfFile: settings.dataFile, encoding: .utf8) else {
            return [ConfigError(file: name, path: "", message: "cannot read \(settings.dataFile)")]
        }
        do { _ = try Store.decodeFile(text, name: name) } catch { return error.errors }
        return []
    }
}
