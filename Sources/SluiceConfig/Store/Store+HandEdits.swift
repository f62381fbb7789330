import Foundation

/// Hand edits of `gateway.yaml`: noticed by comparing the file's text with the text the store last wrote or read
/// (so the store's own writes are ignored), applied through the same validation, and — while the file is
/// invalid — reported and protected: the running configuration is kept and writes are refused, so the operator's
/// broken file is never overwritten.
extension Store {
    /// The errors of the data file while it is invalid (last reload failed); nil when it is in force.
    public var dataFileErrors: ConfigErrors? { view.withLock { $0.fileErrors } }

    /// Applies the data file if its text changed since the store last wrote or read it (a file watcher's poll).
    /// The file is parsed and validated before the writer lock is taken, so a big file holds up no other writer.
    /// - Returns: the snapshot in force afterwards, or nil when the file holds what the store already knows.
    /// - Throws: `StoreError.invalid` with file lines the first time a changed file is found invalid.
    @discardableResult
    public func reloadIfEdited() throws(StoreError) -> ConfigSnapshot? {
        if case .mirror = mode { return nil }
        let text = try readDataFile()
        if text == state.withLock({ $0.lastText }) { return nil }
        let file = parseDataFile(text)
        return try writing { (s: inout State) throws(StoreError) -> ConfigSnapshot? in
            // Written again in between (by us, catching up with this very edit, or by the operator): the text
            // read now is what counts, and the next poll sees it.
            guard text != s.lastText, (try? readDataFile()) == text else { return nil }
            return try reloadLocked(&s, file)
        }
    }

    /// Before a put or delete: catch up with an unapplied hand edit, and refuse while the file is invalid.
    func prepareWriteLocked(_ s: inout State) throws(StoreError) {
        if case .mirror(_, _, let why) = mode { throw .readOnly(why) }
        if let text = try? readDataFile(), text != s.lastText {
            do { _ = try reloadLocked(&s, parseDataFile(text)) } catch {
                if case .invalid(let errors) = error { throw .dataFileBroken(errors) }
                throw error
            }
        }
        if let errors = s.fileErrors { throw .dataFileBroken(errors) }
    }

    /// A data file's text with the configuration it holds, or its errors (file lines included).
    struct ParsedFile: Sendable {
        var text: String
        var config: Result<GatewayConfig, ConfigErrors>
    }

    /// Parses and validates a data file's text; needs no lock.
    func parseDataFile(_ text: String) -> ParsedFile {
        do throws(ConfigErrors) {
            return ParsedFile(text: text, config: .success(try Self.decodeFile(text, name: dataFileName)))
        } catch {
            return ParsedFile(text: text, config: .failure(error))
        }
    }

    /// Applies a parsed data file as the whole configuration, remembering its text (and its errors, if any); the
    /// operator's file stays as written.
    func reloadLocked(_ s: inout State, _ file: ParsedFile) throws(StoreError) -> ConfigSnapshot {
        s.lastText = file.text
        let config: GatewayConfig
        switch file.config {
        case .failure(let errors):
            s.fileErrors = errors
            throw .invalid(errors)
        case .success(let c):
            config = c
        }
        do {
            let snapshot = try commitLocked(&s, Proposal(config: config, fileText: .asWritten(file.text)), source: .file)
            s.fileErrors = nil
            return snapshot
        } catch {
            if case .invalid(let errors) = error { s.fileErrors = errors }
            throw error
        }
    }

    func readDataFile() throws(StoreError) -> String {
        guard let text = try? String(contentsOfFile: dataFile, encoding: .utf8) else {
            throw .invalid(ConfigErrors([ConfigError(file: dataFileName, path: "", message: "cannot read \(dataFile)")]))
        }
        return text
    }

    var dataFileName: String { URL(fileURLWithPath: dataFile).lastPathComponent }
}
