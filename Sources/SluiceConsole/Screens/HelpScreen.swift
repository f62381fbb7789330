/// Every key: the console's own and those of the screen help was opened from (one registry drives both this and
/// the footer).
public final class HelpScreen: Screen {
    public let name = "help"
    public let title = "Help"
    public let bindings: [KeyBinding] = [KeyBinding([.escape], "back")]
    private let sections: [(String, [KeyBinding])]

    public init(sections: [(String, [KeyBinding])]) { self.sections = sections }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        var row = top + 1
        for (title, bindings) in sections where !bindings.isEmpty {
            guard row < top + height else { return }
            canvas.text(row, 1, title, width: canvas.cols - 1, .title)
            row += 1
            for b in bindings where row < top + height {
                canvas.text(row, 3, b.label, width: 16, .key)
                canvas.text(row, 20, b.description + (b.dangerous ? " (asks first)" : ""), width: canvas.cols - 20)
                row += 1
            }
            row += 1
        }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        key == .escape || key == .char("?") || key == .char("q") ? .pop : .unhandled
    }
}
