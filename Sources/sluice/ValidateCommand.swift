import ArgumentParser
import SluiceConfig
import SluiceEtcd

/// `sluice validate`: checks config.yaml and the data file, printing every error as `file:line: path: why`
/// (exit 1), or each warning as `warning: file:line: path: why` and then `ok` (exit 0).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check config.yaml and the data file; print every error, or any warnings and `ok`."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let report = ConfigFiles.check(configPath: options.config)
        guard report.errors.isEmpty else {
            for error in report.errors { print(error) }
            throw ExitCode(1)
        }
        if let tls = (try? ConfigFiles.loadSettings(path: options.config))?.deployment.etcd?.tls {
            do { try EtcdClient.check(tls) } catch {
                print("\(options.config): \(error)")
                throw ExitCode(1)
            }
        }
        for warning in report.warnings { print("warning: \(warning)") }
        print("ok")
    }
}
