/// What `sluice --version` prints: the release, the commit, the compiler and the libraries it was built with.
enum VersionText {
    /// The release number.
    static let release = "0.1.0"

    static var text: String {
        var lines = ["sluice \(release)", "commit \(BuildInfo.commit)", "Swift \(BuildInfo.swiftVersion)"]
        lines += BuildInfo.libraries.map { "\($0.0) \($0.1)" }
        return lines.joined(separator: "\n")
    }
}
