import Foundation
import SluiceConfig
import SluiceEngine

/// The console's logic without a terminal: screens, navigation, confirmations and the flash line.
/// The terminal runner feeds it keys and data and gives it a canvas; tests do the same with a `MemoryCanvas`.
public final class ConsoleApp {
    /// The screens of the tab bar, in order (keys 1…n).
    public let tabs: [any Screen]
    private var current = 0
    private var stack: [any Screen] = []
    /// Tabs visited before the current one, newest last: Esc goes back along them.
    private var visited: [Int] = []
    private var pendingConfirm: (message: String, action: () -> ScreenAction)?
    private var command: String?
    private var flash: (text: String, isError: Bool)?
    public private(set) var wantsQuit = false
    /// The last frame was the "too small" message: keys do nothing until the window grows (a key pressed blind
    /// must not kill a connection or quit).
    private var tooSmall = false
    public var data: ConsoleData
    /// A Store call still running (a write waiting on etcd): keys wait until it is over.
    private var storeCall: StoreCall?
    /// How long a Store call may take before the console stops waiting for it and draws on (infinity: always wait,
    /// as tests do).
    private let storeCallGrace: Double

    /// The console's own keys, shown in help.
    public static let globalBindings: [KeyBinding] = [
        KeyBinding([.char("?")], "help"),
        KeyBinding([.function(1)], "help, also while typing", footer: false),
        KeyBinding([.char(":")], "jump to a screen (:routes, :conn …)"),
        KeyBinding([.tab, .backTab], "next / previous screen", footer: false),
        KeyBinding([.char("1"), .char("8")], "screen by number", label: "1…8", footer: false),
        KeyBinding([.escape], "back (to the screen before) / cancel", footer: false),
        KeyBinding([.char("q")], "quit (stops the gateway)", dangerous: true),
    ]

    public init(tabs: [any Screen], data: ConsoleData, storeCallGrace: Double = .infinity) {
        self.tabs = tabs
        self.data = data
        self.storeCallGrace = storeCallGrace
    }

    /// Whether a Store call is still running.
    public var isWaitingForStore: Bool { storeCall != nil }

    /// Performs what the running Store call leads to, once it is over.
    /// - Returns: whether it was over (the configuration may have changed).
    @discardableResult
    public func collectStoreCall() -> Bool {
        guard let call = storeCall, let next = call.collect() else { return false }
        storeCall = nil
        perform(next)
        return true
    }

    /// The screen on top.
    public var screen: any Screen { stack.last ?? tabs[current] }

    /// The smallest terminal the console draws in.
    public static let minimumSize = (rows: 24, cols: 80)

    // MARK: drawing

    public func render(on canvas: Canvas) {
        canvas.erase()
        tooSmall = canvas.rows < Self.minimumSize.rows || canvas.cols < Self.minimumSize.cols
        guard !tooSmall else {
            let msg = "Terminal too small: \(canvas.cols)×\(canvas.rows), need \(Self.minimumSize.cols)×\(Self.minimumSize.rows)"
            canvas.text(canvas.rows / 2, 0, msg, width: canvas.cols, .warning)
            canvas.text(canvas.rows / 2 + 1, 0, "(keys are ignored until it is)", width: canvas.cols, .dim)
            return
        }
        drawTabBar(on: canvas)
        drawHeader(on: canvas)
        let banner = drawBanner(on: canvas) ? 1 : 0
        screen.draw(on: canvas, top: 2 + banner, height: canvas.rows - 4 - banner, data: data)
        drawMessageLine(on: canvas)
        drawFooter(on: canvas)
    }

    /// The screen while the gateway stops: no new connections, the open ones finishing (or closed when the drain
    /// timeout is up).
    public func renderDrain(on canvas: Canvas, open: Int, secondsLeft: Int) {
        canvas.erase()
        canvas.fillRow(0, .title)
        canvas.text(0, 0, " Sluice — stopping", width: canvas.cols, .title)
        let noun = open == 1 ? "connection" : "connections"
        let mid = max(2, canvas.rows / 2 - 1)
        canvas.text(mid, 2, "Draining: no new connections are accepted.", width: canvas.cols - 2)
        canvas.text(mid + 1, 2, "\(open) \(noun) left · \(secondsLeft) s left, then they are closed",
                    width: canvas.cols - 2, .warning)
    }

    private func drawTabBar(on canvas: Canvas) {
        canvas.fillRow(0, .title)
        canvas.text(0, 0, " Sluice ", width: 8, .title)
        // Every tab stays on the bar: when the whole names do not fit, the others are cut to four letters, then to
        // three (the current one keeps its whole name as long as it can).
        let badges = tabs.map { $0.badge(data: data).map { "\($0) " } ?? "" }
        func labels(current: Int?, others: Int?) -> [String] {
            tabs.enumerated().map {
                let letters = $0.offset == self.current ? current : others
                return " \($0.offset + 1) \(Self.tabName($0.element.name, letters: letters)) " + badges[$0.offset]
            }
        }
        let fits = { (l: [String]) in 9 + l.reduce(0) { $0 + CellWidth.of($1) } <= canvas.cols }
        let candidates = [labels(current: nil, others: nil), labels(current: nil, others: 4),
                          labels(current: nil, others: 3), labels(current: 4, others: 3), labels(current: 3, others: 3)]
        let labels = candidates.first(where: fits) ?? candidates[candidates.count - 1]
        var col = 9
        for (i, label) in labels.enumerated() {
            let w = CellWidth.of(label)
            guard col + w <= canvas.cols else { break }
            canvas.text(0, col, label, width: w, i == current && stack.isEmpty ? .selected : badges[i].isEmpty ? .title : .bad)
            col += w
        }
    }

    /// `SSL`, `Dashboard`; cut to `letters`: `Dash`, `Das`.
    static func tabName(_ name: String, letters: Int?) -> String {
        if name.count <= 3 { return name.uppercased() }
        let shown = letters.map { String(name.prefix($0)) } ?? name
        return shown.prefix(1).uppercased() + shown.dropFirst()
    }

    /// While the data file is invalid: one line naming its first error, on every screen.
    /// - Returns: whether a banner was drawn (the screen starts a row lower then).
    private func drawBanner(on canvas: Canvas) -> Bool {
        guard let errors = data.dataFileErrors?.errors, let first = errors.first else { return false }
        let more = errors.count > 1 ? " (+\(errors.count - 1) more)" : ""
        canvas.text(2, 0, "⚠ running configuration kept — \(first)\(more)", width: canvas.cols, .bad, pad: true)
        return true
    }

    private func drawHeader(on canvas: Canvas) {
        let e = data.engine
        let active = e.listeners.reduce(0) { $0 + $1.traffic.active }
        let rin = e.listeners.reduce(0.0) { $0 + data.rates.rate(RateTracker.listenerKey($1)).bytesIn }
        let rout = e.listeners.reduce(0.0) { $0 + data.rates.rate(RateTracker.listenerKey($1)).bytesOut }
        let right = etcdState() + "\(e.listeners.count) listeners · \(active) open · in \(Format.rate(rin)) · out \(Format.rate(rout)) · rev \(data.config.revision)"
        // The title wins the space; the totals take what is left and are cut first.
        let titleWidth = min(CellWidth.of(screen.title), canvas.cols / 2)
        let rightWidth = min(CellWidth.of(right), canvas.cols - titleWidth - 2)
        canvas.text(1, 0, screen.title, width: titleWidth, .header)
        canvas.text(1, canvas.cols - rightWidth, right, width: rightWidth, .dim)
    }

    /// `etcd ✓ · ` while etcd answers (`etcd ✓ 3 behind 12s · ` while changes in etcd are not served yet: how many
    /// revisions, for how long), `etcd ✗ 2m 5s (last-known-good) · ` while it does not answer (how long for).
    private func etcdState() -> String {
        guard let m = data.mirror else { return "" }
        if m.reachable {
            guard m.lagRevisions > 0 else { return "etcd ✓ · " }
            return "etcd ✓ \(m.lagRevisions) behind \(Format.age(m.lagSeconds(at: data.engine.takenAt))) · "
        }
        let down = Format.age(max(0, data.engine.takenAt.timeIntervalSince(m.since)))
        return "etcd ✗ \(down)\(m.fromLastKnownGood ? " (last-known-good)" : "") · "
    }

    private func drawMessageLine(on canvas: Canvas) {
        let row = canvas.rows - 2
        if let call = storeCall {
            let waited = Int(Date().timeIntervalSince(call.startedAt))
            let on = data.mirror == nil ? "the data file" : "etcd"
            canvas.text(row, 0, "⏳ \(call.label): waiting for \(on), \(waited) s — keys are ignored until it answers",
                        width: canvas.cols, .warning, pad: true)
        } else if let c = pendingConfirm {
            canvas.text(row, 0, "\(c.message) [y/N]", width: canvas.cols, .warning, pad: true)
        } else if let command {
            canvas.text(row, 0, ":\(command)▏", width: canvas.cols, .focusedField, pad: true)
        } else if let flash {
            canvas.text(row, 0, flash.text, width: canvas.cols, flash.isError ? .bad : .good)
        }
    }

    private func drawFooter(on canvas: Canvas) {
        let row = canvas.rows - 1
        canvas.fillRow(row, .dim)
        var col = 0
        // While typing, the one-letter global keys are text: only F1 is offered.
        let globals = screen.capturesText ? [KeyBinding([.function(1)], "help")] : Self.globalBindings.filter(\.inFooter)
        let hints = screen.bindings.filter(\.inFooter) + globals
        for b in hints {
            let text = "\(b.label) \(b.description)"
            let w = CellWidth.of(text)
            guard col + w + 2 <= canvas.cols else { break }
            canvas.text(row, col, b.label, width: CellWidth.of(b.label), .key)
            canvas.text(row, col + CellWidth.of(b.label) + 1, b.description, width: CellWidth.of(b.description), .dim)
            col += w + 2
        }
    }

    // MARK: keys

    /// Handles one key press.
    public func handle(_ key: Key) {
        if tooSmall && key != .resize { return }
        if storeCall != nil { return }
        if let confirm = pendingConfirm {
            pendingConfirm = nil
            if key == .char("y") || key == .char("Y") { perform(confirm.action()) } else { flash = ("cancelled", false) }
            return
        }
        if command != nil {
            handleCommand(key)
            return
        }
        if key != .resize { flash = nil }
        if key == .function(1) {
            openHelp()
            return
        }
        let action = screen.handle(key, data: data)
        if case .unhandled = action { handleGlobal(key) } else { perform(action) }
    }

    private func handleGlobal(_ key: Key) {
        switch key {
        case .char("?"): openHelp()
        case .char(":"): command = ""
        case .tab: select((current + 1) % tabs.count)
        case .backTab: select((current + tabs.count - 1) % tabs.count)
        case .char(let c) where c.isNumber:
            if let n = c.wholeNumberValue, n >= 1, n <= tabs.count { select(n - 1) }
        case .escape:
            if !stack.isEmpty {
                stack.removeLast()
            } else if let previous = visited.popLast() {
                current = previous
            }
        case .char("q"):
            pendingConfirm = ("Quit? This stops the gateway and drains open connections.", { [weak self] in
                self?.wantsQuit = true
                return .none
            })
        default: break
        }
    }

    private func handleCommand(_ key: Key) {
        switch key {
        case .escape: command = nil
        case .backspace where command?.isEmpty ?? true: command = nil
        case .enter:
            let name = (command ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            command = nil
            if name == "q" || name == "quit" { handleGlobal(.char("q")); return }
            if let i = tabs.firstIndex(where: { $0.name.hasPrefix(name) && !name.isEmpty }) {
                select(i)
            } else {
                flash = ("no screen \"\(name)\" (try: \(tabs.map(\.name).joined(separator: ", ")))", true)
            }
        default:
            if var text = command, LineEditing.apply(key, toEnd: &text) { command = text }
        }
    }

    private func select(_ index: Int) {
        stack.removeAll()
        if index != current {
            visited.append(current)
            if visited.count > 50 { visited.removeFirst() }
        }
        current = index
    }

    private func openHelp() {
        if stack.last is HelpScreen { return }
        stack.append(HelpScreen(sections: [("This screen: \(screen.title)", screen.bindings),
                                           ("Everywhere", Self.globalBindings)]))
    }

    private func perform(_ action: ScreenAction) {
        switch action {
        case .none, .unhandled: break
        case .push(let s): stack.append(s)
        case .pop: if !stack.isEmpty { stack.removeLast() }
        case .confirm(let message, let run): pendingConfirm = (message, run)
        case .flash(let text, let isError): flash = (text, isError)
        case .sequence(let actions): actions.forEach(perform)
        case .store(let call):
            call.waitForResult(seconds: storeCallGrace)
            if let next = call.collect() { perform(next) } else { storeCall = call }
        }
    }
}
