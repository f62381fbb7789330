import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The configuration history on disk, beside the data file: `gateway.history/r00000012.yaml` for `gateway.yaml`.
///
/// Each file is itself a valid data file — a `# sluice-revision: {…}` comment line with the entry as JSON, then
/// the document exactly as it was in force — written crash-safely (`AtomicFile`) with mode 0600, since a document
/// may hold private keys. Only the newest `keep` revisions are kept. Files that do not parse are ignored.
struct RevisionLog: Sendable {
    static let headerPrefix = "# sluice-revision: "

    /// Absolute path of the folder.
    let directory: String
    /// How many revisions are kept (config.yaml `history.keep`).
    let keep: Int
    /// Oldest first.
    private(set) var entries: [RevisionEntry] = []

    /// Reads the entries of every revision file in the folder (the documents stay on disk).
    init(dataFile: String, keep: Int) {
        let url = URL(fileURLWithPath: dataFile)
        let base = url.deletingPathExtension().lastPathComponent
        directory = url.deletingLastPathComponent().appendingPathComponent("\(base).history").path
        self.keep = max(1, keep)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        entries = names.compactMap { name in
            guard Self.number(inFileName: name) != nil,
                  let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) else { return nil }
            return Self.parseHeader(text)
        }.sorted { $0.number < $1.number }
    }

    var latest: RevisionEntry? { entries.last }

    func entry(_ number: Int) -> RevisionEntry? { entries.first { $0.number == number } }

    /// The path of a revision's file.
    func path(_ number: Int) -> String { "\(directory)/\(Self.fileName(number))" }

    /// The whole file of a revision (header comment and document), or nil when it is not kept.
    func fileText(_ number: Int) -> String? {
        guard entry(number) != nil else { return nil }
        return try? String(contentsOfFile: path(number), encoding: .utf8)
    }

    /// The document of a revision as it was in force (the file without its header line).
    func document(_ number: Int) -> String? {
        fileText(number).map(Self.stripHeader)
    }

    /// Writes a revision's file and forgets the oldest beyond `keep` (their files are removed).
    /// - Throws: `StoreError.persistFailed` when the folder or the file cannot be written; nothing kept then.
    mutating func append(_ entry: RevisionEntry, document: String) throws(StoreError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .persistFailed("mkdir \(directory): \(String(cString: strerror(errno)))")
        }
        let header = Self.headerPrefix + entry.value.jsonText() + "\n"
        try AtomicFile.write(header + document, to: path(entry.number), mode: 0o600)
        entries.append(entry)
        while entries.count > keep {
            unlink(path(entries.removeFirst().number))
        }
    }

    /// Takes back the newest revision (its data file could not be written).
    mutating func removeLatest() {
        guard let last = entries.popLast() else { return }
        unlink(path(last.number))
    }

    static func fileName(_ number: Int) -> String {
        let digits = String(number)
        return "r" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".yaml"
    }

    static func number(inFileName name: String) -> Int? {
        guard name.hasPrefix("r"), name.hasSuffix(".yaml") else { return nil }
        return Int(name.dropFirst().dropLast(5))
    }

    static func stripHeader(_ text: String) -> String {
        guard text.hasPrefix(headerPrefix) else { return text }
        guard let newline = text.firstIndex(of: "\n") else { return "" }
        return String(text[text.index(after: newline)...])
    }

    static func parseHeader(_ text: String) -> RevisionEntry? {
        guard text.hasPrefix(headerPrefix) else { return nil }
        let line = text.dropFirst(headerPrefix.count).prefix { $0 != "\n" }
        guard let value = try? ConfigValue.parseJSON(Array(line.utf8)),
              case .int(let number)? = value["revision"]?.kind,
              let time = value["time"]?.stringValue.flatMap(RevisionEntry.parseTime),
              let source = value["source"]?.stringValue.flatMap(ChangeSource.init(rawValue:)),
              case .list(let list)? = value["changes"]?.kind else { return nil }
        let changes = list.compactMap { item -> ObjectChange? in
            guard let kind = item["resource"]?.stringValue.flatMap(ResourceKind.init(rawValue:)),
                  let id = item["id"]?.stringValue,
                  let action = item["action"]?.stringValue.flatMap(ObjectChange.Action.init(rawValue:)) else { return nil }
            return ObjectChange(kind: kind, id: id, action: action)
        }
        var target: Int?
        if case .int(let n)? = value["rolled_back_to"]?.kind { target = n }
        return RevisionEntry(number: number, time: time, source: source, changes: changes, rolledBackTo: target)
    }
}
