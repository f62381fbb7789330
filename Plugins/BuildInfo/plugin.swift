import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` for the `sluice` target before each build: the git commit and the versions of the
/// packages it was built with (from Package.resolved), for `sluice --version`. The script rewrites the file only
/// when its content changes, so an unchanged tree does not recompile.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = context.package.directoryURL.appendingPathComponent("scripts/build-info.sh")
        let swiftc = (try? context.tool(named: "swiftc").url.path) ?? "swiftc"
        return [.prebuildCommand(displayName: "Writing BuildInfo.swift",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [script.path, context.package.directoryURL.path, out.path, swiftc],
                                 outputFilesDirectory: out)]
    }
}
