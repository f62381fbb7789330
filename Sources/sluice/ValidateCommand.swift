import ArgumentParser
import SluiceConfig

/// `sluice validate`: checks config.yaml and the data file, printing every error as `file:line: path: why`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check config.yaml and the data file; print every error, or `ok`."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let errors = ConfigFiles.validate(configPath: options.config)
        guard errors.isEmpty else {
            for error in errors { print(error) }
            throw ExitCode(1)
        }
        print("ok")
    }
}
