import SluiceConfig

/// A scrollable page of text lines pushed over a screen (a revision's diff), each line in the style `style` gives
/// it. Lines longer than the window are cut with `…`; ↑/↓, PgUp/PgDn, Home/End scroll, Esc closes.
public final class TextViewScreen: Screen {
    public let name = "view"
    public let title: String
    public let bindings: [KeyBinding] = [
        KeyBinding([.up, .down], "scroll"),
        KeyBinding([.pageUp, .pageDown], "page"),
        KeyBinding([.home, .end], "top / bottom", footer: false),
        KeyBinding([.escape], "back"),
    ]
    let lines: [String]
    private let style: (String) -> TextStyle
    private(set) var first = 0
    private var page = 10

    public init(title: String, lines: [String], style: @escaping (String) -> TextStyle = { _ in .normal }) {
        self.title = title
        self.lines = lines
        self.style = style
    }

    /// A unified diff: additions good, removals bad, hunk lines as headers — and every line still marked by its
    /// first character, so nothing depends on colour (NO_COLOR).
    public static func diff(title: String, text: String) -> TextViewScreen {
        let lines = text.isEmpty ? ["(no difference)"] : text.split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast(text.hasSuffix("\n") ? 1 : 0).map(String.init)
        return TextViewScreen(title: title, lines: lines) { line in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return .header }
            if line.hasPrefix("@@") { return .title }
            if line.hasPrefix("+") { return .good }
            if line.hasPrefix("-") { return .bad }
            return .normal
        }
    }

    /// An object's document as YAML; the fields named in `secrets` (an ssl's private key) show as a placeholder:
    /// secrets never reach the screen.
    public static func yaml(title: String, _ document: ConfigValue, secrets: [String] = []) -> TextViewScreen {
        var shown = document
        for key in secrets where shown[key] != nil { shown[key] = .string("(secret, not shown)") }
        let text = shown.yamlText()
        return TextViewScreen(title: title, lines: text.split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast(text.hasSuffix("\n") ? 1 : 0).map(String.init))
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        page = max(1, height - 1)
        first = max(0, min(first, lines.count - page))
        let shown = lines.isEmpty ? "" : "lines \(first + 1)–\(min(lines.count, first + page)) of \(lines.count)"
        canvas.text(top, 0, shown, width: canvas.cols, .dim)
        for (offset, line) in lines[first..<min(lines.count, first + page)].enumerated() {
            canvas.text(top + 1 + offset, 0, line, width: canvas.cols, style(line))
        }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        let last = max(0, lines.count - page)
        switch key {
        case .up: first = max(0, first - 1)
        case .down: first = min(last, first + 1)
        case .pageUp: first = max(0, first - page)
        case .pageDown: first = min(last, first + page)
        case .home: first = 0
        case .end: first = last
        case .escape: return .pop
        default: return .unhandled
        }
        return .none
    }
}
