import Foundation

/// Hand edits of `gateway.yaml`: noticed by comparing the file's text with the text the store last wrote or read
/// (so the store's own writes are ignored), applied through the same validation, and — while the file is
/// invalid — reported and protected: the running configuration is kept and writes are refused, so the operator's
/// broken file is never overwritten.
extension Store {
    /// The errors of the data file while it is invalid (last reload failed); nil when it is in force.
    public var dataFileErrors: ConfigErrors? { state.withLock { $0.fileErrors } }

    /// Applies the data file if its text changed since the store last wrote or read it (a file watcher's poll).
    /// - Returns: the snapshot in force afterwards, or nil when the file holds what the store already knows.
    /// - Throws: `StoreError.invalid` with file lines the first time a changed file is found invalid.
    @discardableResult
    public func reloadIfEdited() throws(StoreError) -> ConfigSnapshot? {
        try state.withLock { (s: inout State) throws(StoreError) -> ConfigSnapshot? in
            let text = try readDataFile()
            guard text != s.lastText else { return nil }
            return try reloadLocked(&s, text: text)
        }
    }

    /// Before a put or delete: catch up with an unapplied hand edit, and refuse while the file is invalid.
    func prepareWriteLocked(_ s: inout State) throws(StoreError) {
        if let text = try? readDataFile(), text != s.lastText {
            do { _ = try reloadLocked(&s, text: text) } catch {
                if case .invalid(let errors) = error { throw .dataFileBroken(errors) }
                throw error
            }
        }
        if let errors = s.fileErrors { throw .dataFileBroken(errors) }
    }

    /// Validates and applies `text` as the whole data file, remembering it (and its errors, if any).
    func reloadLocked(_ s: inout State, text: String) throws(StoreError) -> ConfigSnapshot {
        s.lastText = text
        let value: ConfigValue
        do { value = try ConfigValue.parseYAML(text, file: dataFileName) } catch {
            s.fileErrors = ConfigErrors([error])
            throw .invalid(ConfigErrors([error]))
        }
        do {
            let snapshot = try applyLocked(&s, .replaceAll(value, file: dataFileName), source: .file)
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
