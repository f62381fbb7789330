/// The editing keys of every one-line text input (form fields, filters, the `:` prompt), readline's included:
/// Ctrl-A start, Ctrl-E end, Ctrl-U delete to the start, Ctrl-K delete to the end, Ctrl-W delete the word before
/// the cursor.
enum LineEditing {
    /// Applies `key` to `text` with the cursor at `cursor` (in characters).
    /// - Returns: false when `key` is not an editing key (nothing changed).
    static func apply(_ key: Key, to text: inout String, cursor: inout Int) -> Bool {
        var chars = Array(text)
        cursor = min(max(0, cursor), chars.count)
        switch key {
        case .char(let c): chars.insert(c, at: cursor); cursor += 1
        case .backspace: if cursor > 0 { chars.remove(at: cursor - 1); cursor -= 1 }
        case .delete: if cursor < chars.count { chars.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = chars.count
        case .control("u"):
            chars.removeSubrange(0..<cursor)
            cursor = 0
        case .control("k"): chars.removeSubrange(cursor...)
        case .control("w"):
            var start = cursor
            while start > 0, chars[start - 1] == " " { start -= 1 }
            while start > 0, chars[start - 1] != " " { start -= 1 }
            chars.removeSubrange(start..<cursor)
            cursor = start
        default: return false
        }
        text = String(chars)
        return true
    }

    /// The same keys for an input whose cursor stays at the end (filters, the `:` prompt).
    static func apply(_ key: Key, toEnd text: inout String) -> Bool {
        if [.left, .right, .home, .end, .control("a"), .control("e")].contains(key) { return true }
        var cursor = text.count
        return apply(key, to: &text, cursor: &cursor)
    }
}
