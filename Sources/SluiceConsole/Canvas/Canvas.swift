/// A grid of character cells that screens draw on: the terminal, or memory in tests.
public protocol Canvas: AnyObject {
    var rows: Int { get }
    var cols: Int { get }
    /// Writes `text` at a cell; the caller has clipped it to the space it may use (`CellWidth.clip`).
    func put(_ row: Int, _ col: Int, _ text: String, _ style: TextStyle)
    /// Blanks the whole grid.
    func erase()
}

extension Canvas {
    /// Writes `text` clipped to `width` cells (with `…` when cut), padded with spaces to exactly `width` if `pad`.
    public func text(_ row: Int, _ col: Int, _ text: String, width: Int, _ style: TextStyle = .normal,
                     alignRight: Bool = false, pad: Bool = false) {
        guard row >= 0, row < rows, col < cols, width > 0 else { return }
        let room = min(width, cols - col)
        var clipped = CellWidth.clip(text, to: room)
        let used = CellWidth.of(clipped)
        if alignRight && used < room {
            clipped = String(repeating: " ", count: room - used) + clipped
        } else if pad && used < room {
            clipped += String(repeating: " ", count: room - used)
        }
        put(row, col, clipped, style)
    }

    /// A whole row in one style (bars, the selected line).
    public func fillRow(_ row: Int, _ style: TextStyle) {
        guard row >= 0, row < rows else { return }
        put(row, 0, String(repeating: " ", count: cols), style)
    }
}
