/// A key press, decoded from the terminal.
public enum Key: Equatable, Sendable {
    case char(Character)
    /// Ctrl and a letter (`control("w")`), but those the terminal reads as Tab, Enter and Backspace.
    case control(Character)
    case up, down, left, right, home, end, pageUp, pageDown
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    case resize

    /// How the footer and help name the key.
    public var label: String {
        switch self {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .control(let c): "C-" + String(c)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Bksp"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        case .resize: "resize"
        }
    }
}

/// One key a screen answers to; the same list drives the footer and the help screen (k9s).
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var description: String
    /// Shown in the footer (all bindings are in the help).
    public var inFooter: Bool
    /// Asks for confirmation before acting.
    public var dangerous: Bool

    private let customLabel: String?

    /// - Parameter label: how to name the keys when listing them would mislead (`1…6`).
    public init(_ keys: [Key], _ description: String, label: String? = nil, footer: Bool = true, dangerous: Bool = false) {
        self.keys = keys
        self.description = description
        customLabel = label
        inFooter = footer
        self.dangerous = dangerous
    }

    public var label: String { customLabel ?? keys.map(\.label).joined(separator: "/") }
}
