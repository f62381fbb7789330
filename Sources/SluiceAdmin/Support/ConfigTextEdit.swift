/// Line-level edits of `config.yaml` that keep the operator's comments and layout (block style only; the caller
/// verifies the result parses to what it meant and falls back otherwise).
enum ConfigTextEdit {
    /// `text` with `key: "<key>"` under `<root>: admin:` — replacing an existing `key:` line (e.g. `key: null`),
    /// added to an existing `admin:` block, or with a new `admin:` block right under the root. Nil when the file's
    /// shape is not one of those (flow style, no root line).
    static func insertingAdminKey(_ key: String, root: String, into text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let rootIndex = lines.firstIndex(where: { isKeyLine($0, root, indent: 0) }) else { return nil }
        let block = blockEnd(lines, after: rootIndex, parentIndent: 0)
        let childIndent = firstChildIndent(lines, rootIndex + 1, block) ?? 2
        let pad = String(repeating: " ", count: childIndent)
        let adminLine = (rootIndex + 1..<block).first { isKeyLine(lines[$0], "admin", indent: childIndent, anyValue: true) }
        guard let adminIndex = adminLine else {
            lines.insert(contentsOf: ["\(pad)admin:", "\(pad)  key: \"\(key)\""], at: rootIndex + 1)
            return lines.joined(separator: "\n")
        }
        guard isKeyLine(lines[adminIndex], "admin", indent: childIndent) else { return nil }  // `admin: {…}`
        let adminEnd = blockEnd(lines, after: adminIndex, parentIndent: childIndent)
        let keyIndent = firstChildIndent(lines, adminIndex + 1, adminEnd) ?? childIndent + 2
        let keyLine = String(repeating: " ", count: keyIndent) + "key: \"\(key)\""
        if let existing = (adminIndex + 1..<adminEnd).first(where: { isKeyLine(lines[$0], "key", indent: keyIndent, anyValue: true) }) {
            lines[existing] = keyLine
        } else {
            lines.insert(keyLine, at: adminIndex + 1)
        }
        return lines.joined(separator: "\n")
    }

    /// `name:` at exactly `indent`, with nothing after it but a comment (or anything, when `anyValue`).
    private static func isKeyLine(_ line: String, _ name: String, indent: Int, anyValue: Bool = false) -> Bool {
        guard leadingSpaces(line) == indent else { return false }
        let rest = line.dropFirst(indent)
        guard rest.hasPrefix(name + ":") else { return false }
        let after = rest.dropFirst(name.count + 1).drop { $0 == " " }
        return anyValue || after.isEmpty || after.hasPrefix("#")
    }

    /// The index after the last line belonging to the block opened at `index`.
    private static func blockEnd(_ lines: [String], after index: Int, parentIndent: Int) -> Int {
        var i = index + 1
        while i < lines.count {
            if !isBlankOrComment(lines[i]) && leadingSpaces(lines[i]) <= parentIndent { break }
            i += 1
        }
        return i
    }

    private static func firstChildIndent(_ lines: [String], _ from: Int, _ to: Int) -> Int? {
        (from..<max(from, to)).first { !isBlankOrComment(lines[$0]) }.map { leadingSpaces(lines[$0]) }
    }

    private static func isBlankOrComment(_ line: String) -> Bool {
        let t = line.drop { $0 == " " }
        return t.isEmpty || t.hasPrefix("#")
    }

    private static func leadingSpaces(_ line: String) -> Int { line.prefix { $0 == " " }.count }
}
