import ArgumentParser

/// `sluice`: the stream gateway. Without a subcommand it runs the gateway.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A TCP/UDP/TLS stream gateway with an operator console.",
        version: VersionText.text,
        subcommands: [RunCommand.self, ValidateCommand.self, ImportCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Options every subcommand takes.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Path of config.yaml (node settings; it names the data file).")
    var config = "conf/config.yaml"
}
