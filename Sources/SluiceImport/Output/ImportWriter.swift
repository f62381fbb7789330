import Foundation
import SluiceConfig
import SluiceEngine

/// Writes an import's `config.yaml` and `gateway.yaml` into a folder and checks them as `sluice validate` does.
///
/// The text depends only on the result, so importing the same input again gives byte-identical files. Files the
/// import did not write are not overwritten unless asked.
public enum ImportWriter {
    /// The first line of every file the import writes; it marks a file that may be overwritten by a re-run.
    public static let header = "# Written by `sluice import nginx`; the import printed what it could not translate.\n"

    /// The two files' text.
    public static func texts(_ result: ImportResult) -> (config: String, gateway: String) {
        (header + result.config.yamlText(), header + result.gateway.yamlText())
    }

    /// Why the files could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes both files into `directory` (created if missing); `gateway.yaml` is 0600 when it holds keys.
    /// - Parameter force: overwrite files that the import did not write.
    /// - Returns: every validation error of the written files (empty when valid).
    /// - Throws: `WriteError` when a file exists and was not written by the import, or cannot be written.
    public static func write(_ result: ImportResult, to directory: String, force: Bool) throws(WriteError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(description: "cannot create \(directory): \(error.localizedDescription)")
        }
        let configPath = (directory as NSString).appendingPathComponent("config.yaml")
        let gatewayPath = (directory as NSString).appendingPathComponent("gateway.yaml")
        for path in [configPath, gatewayPath] where !force {
            if let existing = try? String(contentsOfFile: path, encoding: .utf8), !existing.hasPrefix(header) {
                throw WriteError(description: "\(path) exists and was not written by the import; "
                                 + "use --force to overwrite it, or another --out folder")
            }
        }
        let (config, gateway) = texts(result)
        let holdsKeys = result.gateway["ssls"] != nil
        do {
            try AtomicFile.write(config, to: configPath, mode: 0o644)
            try AtomicFile.write(gateway, to: gatewayPath, mode: holdsKeys ? 0o600 : 0o644)
        } catch {
            throw WriteError(description: "\(error)")
        }
        var problems = ConfigFiles.validate(configPath: configPath).map(\.description)
        for (path, format) in accessLogFormats(result.config) {
            do { _ = try AccessLogFormat(format) } catch { problems.append("config.yaml: \(path): \(error)") }
        }
        return problems
    }

    /// The access-log formats of config.yaml by field path: the main log's and each listener's own.
    private static func accessLogFormats(_ config: ConfigValue) -> [(String, String)] {
        let root = config["sluice"]
        var out: [(String, String)] = []
        if case .string(let format)? = root?["access_log"]?["format"]?.kind {
            out.append(("sluice.access_log.format", format))
        }
        for transport in ["tcp", "udp"] {
            guard case .list(let entries)? = root?["stream_proxy"]?[transport]?.kind else { continue }
            for (i, entry) in entries.enumerated() {
                if case .string(let format)? = entry["access_log"]?["format"]?.kind {
                    out.append(("sluice.stream_proxy.\(transport)[\(i)].access_log.format", format))
                }
            }
        }
        return out
    }
}
