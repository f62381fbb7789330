/// One column of a `Table`: a header, a width range, alignment.
public struct TableColumn: Sendable {
    public var title: String
    public var minWidth: Int
    public var maxWidth: Int
    public var alignRight: Bool
    /// When the columns do not fit at their minimum widths, those with the highest `drop` go first (the
    /// rightmost of equals); 0 goes last.
    public var drop: Int

    public init(_ title: String, min: Int, max: Int, right: Bool = false, drop: Int = 0) {
        self.title = title
        minWidth = min
        maxWidth = max
        alignRight = right
        self.drop = drop
    }
}

/// A table that stretches its columns between their minimum and maximum widths to the space it gets
/// (hatop), numbers right-aligned, one selected row, scrolled so the selection stays visible.
public struct Table {
    public var columns: [TableColumn]
    public var rows: [[String]]
    public var selected: Int?

    public init(columns: [TableColumn], rows: [[String]], selected: Int? = nil) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
    }

    /// Column widths for `width` cells (one space between columns), 0 for a column left out: minimums first,
    /// leaving out the most droppable columns (`TableColumn.drop`, then the rightmost) until the rest fit; then
    /// the spare cells grow the columns in order.
    public func widths(for width: Int) -> [Int] {
        var shown = Array(columns.indices)
        func need() -> Int { shown.reduce(0) { $0 + columns[$1].minWidth } + max(0, shown.count - 1) }
        while !shown.isEmpty, need() > width {
            let out = shown.max { (columns[$0].drop, $0) < (columns[$1].drop, $1) } ?? shown[shown.count - 1]
            shown.removeAll { $0 == out }
        }
        var widths = columns.indices.map { shown.contains($0) ? columns[$0].minWidth : 0 }
        // Spare cells go round the columns one at a time, so every column stretches a little before any is full.
        var spare = width - need()
        while spare > 0 {
            let growable = shown.filter { widths[$0] < columns[$0].maxWidth }
            if growable.isEmpty { break }
            for i in growable where spare > 0 {
                widths[i] += 1
                spare -= 1
            }
        }
        return widths
    }

    /// Draws the header and as many rows as fit in `height` rows starting at `top`.
    public func draw(on canvas: Canvas, top: Int, left: Int = 0, width: Int, height: Int) {
        guard height > 0 else { return }
        let widths = self.widths(for: width)
        drawRow(columns.map(\.title), on: canvas, row: top, left: left, widths: widths, style: .header, width: width)
        let visible = height - 1
        guard visible > 0 else { return }
        var first = 0
        if let selected, selected >= visible { first = selected - visible + 1 }
        for (offset, index) in (first..<min(rows.count, first + visible)).enumerated() {
            let style: TextStyle = index == selected ? .selected : .normal
            drawRow(rows[index], on: canvas, row: top + 1 + offset, left: left, widths: widths, style: style, width: width)
        }
    }

    private func drawRow(_ cells: [String], on canvas: Canvas, row: Int, left: Int, widths: [Int], style: TextStyle,
                         width: Int) {
        if style != .normal { canvas.text(row, left, "", width: width, style, pad: true) }
        var col = left
        for (i, w) in widths.enumerated() where w > 0 {
            let text = i < cells.count ? cells[i] : ""
            canvas.text(row, col, text, width: w, style, alignRight: columns[i].alignRight)
            col += w + 1
        }
    }
}
