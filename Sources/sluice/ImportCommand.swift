import ArgumentParser
import Foundation
import SluiceImport

/// `sluice import`: brings another gateway's configuration over.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Translate another gateway's configuration into config.yaml and gateway.yaml.",
        subcommands: [NginxImportCommand.self]
    )
}

/// `sluice import nginx FILE [--out DIR]`: translates an nginx `stream {}` configuration, prints every directive
/// translated approximately or not at all with its `file:line`, and validates what it wrote.
struct NginxImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx",
        abstract: "Translate an nginx stream {} configuration (nginx.conf, a stream body, or upstream/server blocks)."
    )

    @Argument(help: "The nginx configuration file; includes are followed, relative to the file that includes.")
    var file: String

    @Option(name: .long, help: "The folder to write config.yaml and gateway.yaml into.")
    var out = "conf"

    @Flag(name: .long, help: "Overwrite config.yaml / gateway.yaml even when the import did not write them.")
    var force = false

    func run() throws {
        let result: ImportResult
        do { result = try NginxImporter.importFile(file) } catch {
            printError("sluice import: \(error)")
            throw ExitCode(1)
        }
        for note in result.notes { print(note) }
        guard result.routeCount > 0 else {
            printError("sluice import: nothing usable: no server block with a listen and a proxy_pass that Sluice "
                       + "can serve")
            throw ExitCode(1)
        }
        let problems: [String]
        do { problems = try ImportWriter.write(result, to: out, force: force) } catch {
            printError("sluice import: \(error)")
            throw ExitCode(1)
        }
        for problem in problems { printError(problem) }
        guard problems.isEmpty else {
            printError("sluice import: the written files do not validate (a bug in the import; please report it)")
            throw ExitCode(1)
        }
        let config = (out as NSString).appendingPathComponent("config.yaml")
        let gateway = (out as NSString).appendingPathComponent("gateway.yaml")
        print("wrote \(config) and \(gateway): \(result.routeCount) stream route(s), \(result.notes.count) note(s); "
              + "they pass `sluice validate --config \(config)`")
    }
}
