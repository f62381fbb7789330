/// Recent engine events (configuration applied, errors, listeners) and the tail of the access log.
public final class LogScreen: Screen {
    public let name = "log"
    public let title = "Log"
    public let bindings: [KeyBinding] = []
    private let accessLogTail: () -> [String]

    /// - Parameter accessLogTail: the last lines of the access log file, newest last.
    public init(accessLogTail: @escaping () -> [String]) { self.accessLogTail = accessLogTail }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let access = accessLogTail()
        let eventRows = access.isEmpty ? height - 1 : max(3, (height - 2) / 2)
        canvas.text(top, 0, "Events", width: canvas.cols, .title)
        for (i, line) in data.log.suffix(eventRows).enumerated() {
            let style: TextStyle = line.contains(" error ") || line.contains(" critical ") ? .bad
                : line.contains(" warning ") ? .warning : .normal
            canvas.text(top + 1 + i, 0, line, width: canvas.cols, style)
        }
        guard !access.isEmpty else { return }
        let accessTop = top + 1 + eventRows
        canvas.text(accessTop, 0, "Access log", width: canvas.cols, .title)
        for (i, line) in access.suffix(top + height - accessTop - 1).enumerated() {
            canvas.text(accessTop + 1 + i, 0, line, width: canvas.cols, .dim)
        }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction { .unhandled }
}
