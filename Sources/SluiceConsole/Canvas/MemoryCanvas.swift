/// A canvas in memory, for tests: read back the text of a row and the style of a cell.
public final class MemoryCanvas: Canvas {
    public let rows: Int
    public let cols: Int
    private var cells: [[(text: String, style: TextStyle)]]

    public init(rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
        cells = Array(repeating: Array(repeating: (" ", .normal), count: cols), count: rows)
    }

    public func erase() {
        cells = Array(repeating: Array(repeating: (" ", .normal), count: cols), count: rows)
    }

    public func put(_ row: Int, _ col: Int, _ text: String, _ style: TextStyle) {
        guard row >= 0, row < rows else { return }
        var c = max(0, col)
        for ch in text {
            let w = CellWidth.of(ch)
            guard w > 0 else { continue }
            guard c + w <= cols else { break }
            cells[row][c] = (String(ch), style)
            if w == 2 { cells[row][c + 1] = ("", style) }
            c += w
        }
    }

    /// The text of a row, trailing spaces removed.
    public func line(_ row: Int) -> String {
        var s = cells[row].map(\.text).joined()
        while s.last == " " { s.removeLast() }
        return s
    }

    /// Every row, joined with newlines (for failure messages).
    public var screen: String { (0..<rows).map(line).joined(separator: "\n") }

    public func style(_ row: Int, _ col: Int) -> TextStyle { cells[row][col].style }

    /// The first row whose text contains `needle`.
    public func row(containing needle: String) -> Int? { (0..<rows).first { line($0).contains(needle) } }
}
