import CNcursesw
import Foundation

/// The ncurses terminal: set up with wide characters and colours (none under NO_COLOR), drawn as a `Canvas`,
/// read as `Key`s. Main thread only; `restore()` puts the terminal back, also from the stop path.
public final class CursesTerminal: Canvas {
    public private(set) var rows = 0
    public private(set) var cols = 0
    private let screen: UnsafeMutablePointer<WINDOW>
    private let useColor: Bool
    private var attributes: [TextStyle: attr_t] = [:]
    private var active = true

    public init() {
        setlocale(LC_ALL, "")
        guard let s = initscr() else { fatalError("cannot initialise the terminal") }
        screen = s
        cbreak()
        noecho()
        nonl()
        keypad(s, true)
        set_escdelay(25)
        curs_set(0)
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        useColor = !noColor && has_colors()
        if useColor {
            start_color()
            use_default_colors()
        }
        setUpStyles()
        updateSize()
    }

    private func setUpStyles() {
        let bold = sluice_a_bold(), reverse = sluice_a_reverse(), dim = sluice_a_dim(), under = sluice_a_underline()
        guard useColor else {
            attributes = [.normal: 0, .title: reverse | bold, .header: bold, .selected: reverse, .dim: dim,
                          .good: bold, .warning: bold | under, .bad: bold | reverse, .key: bold, .field: under,
                          .focusedField: reverse]
            return
        }
        let pairs: [(TextStyle, Int16, Int16, attr_t)] = [
            (.title, Int16(COLOR_BLACK), Int16(COLOR_CYAN), bold), (.header, Int16(COLOR_CYAN), -1, bold),
            (.selected, Int16(COLOR_BLACK), Int16(COLOR_YELLOW), 0), (.dim, Int16(COLOR_BLUE), -1, bold),
            (.good, Int16(COLOR_GREEN), -1, bold), (.warning, Int16(COLOR_YELLOW), -1, bold),
            (.bad, Int16(COLOR_RED), -1, bold), (.key, Int16(COLOR_YELLOW), -1, bold),
            (.field, Int16(COLOR_WHITE), -1, under), (.focusedField, Int16(COLOR_BLACK), Int16(COLOR_WHITE), 0),
        ]
        attributes[.normal] = 0
        for (i, p) in pairs.enumerated() {
            init_pair(Int16(i + 1), p.1, p.2)
            attributes[p.0] = sluice_color_pair(Int32(i + 1)) | p.3
        }
    }

    private func updateSize() {
        rows = Int(getmaxy(screen))
        cols = Int(getmaxx(screen))
    }

    public func erase() { werase(screen) }

    public func put(_ row: Int, _ col: Int, _ text: String, _ style: TextStyle) {
        guard row >= 0, row < rows, col >= 0, col < cols else { return }
        let attr = attributes[style] ?? 0
        wattr_on(screen, attr, nil)
        // The last cell of the last row would scroll the screen: never write it (callers clipped already, so
        // this only trims what would reach that cell, without a mark).
        let room = row == rows - 1 ? cols - col - 1 : cols - col
        mvwaddstr(screen, Int32(row), Int32(col), CellWidth.prefix(text, fitting: room))
        wattr_off(screen, attr, nil)
    }

    /// Shows what was drawn since the last call.
    public func present() {
        wnoutrefresh(screen)
        doupdate()
    }

    /// True once reads fail at once again and again: the terminal hung up (window closed, ssh dropped).
    public private(set) var isLost = false
    private var instantFailures = 0

    /// Waits up to `timeoutMs` for a key; nil on timeout.
    public func readKey(timeoutMs: Int32) -> Key? {
        wtimeout(screen, timeoutMs)
        var ch: wint_t = 0
        let started = DispatchTime.now().uptimeNanoseconds
        let rc = wget_wch(screen, &ch)
        if rc == ERR {
            // A live terminal makes us wait for the timeout; a hung-up one fails at once, every time.
            let waitedMs = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            instantFailures = timeoutMs > 20 && waitedMs < 2 ? instantFailures + 1 : 0
            if instantFailures >= 50 { isLost = true }
            return nil
        }
        instantFailures = 0
        if rc == sluice_key_code_yes() { return decodeFunctionKey(Int32(ch)) }
        switch ch {
        case 27: return .escape
        case 9: return .tab
        case 10, 13: return .enter
        case 127, 8: return .backspace
        case 1...26: return Unicode.Scalar(UInt32(ch) + 96).map { .control(Character($0)) }
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 else { return nil }
            return .char(Character(scalar))
        }
    }

    private func decodeFunctionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_RESIZE:
            updateSize()
            return .resize
        default:
            for n in 1...12 where code == sluice_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    /// Gives the terminal back (cursor, echo, screen). Safe to call twice.
    public func restore() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
    }
}
