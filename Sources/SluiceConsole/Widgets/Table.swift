/// One column of a `Table`: a header, a width range, alignment.
public struct TableColumn: Sendable {
    public var title: String
    public var minWidth: Int
    public var maxWidth: Int
    public var alignRight: Bool

    public init(_ title: String, min: Int, max: Int, right: Bool = false) {
        self.title = title
        minWidth = min
        maxWidth = max
        alignRight = right
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

    /// Column widths for `width` cells (one space between columns): minimums first, then grow in order;
    /// columns that do not fit at their minimum are dropped from the right.
    public func widths(for width: Int) -> [Int] {
        var widths: [Int] = []
        var used = 0
        for c in columns {
            let need = c.minWidth + (widths.isEmpty ? 0 : 1)
            if used + need > width { break }
            widths.append(c.minWidth)
            used += need
        }
        // Spare cells go round the columns one at a time, so every column stretches a little before any is full.
        var spare = width - used
        while spare > 0 {
            let growable = widths.indices.filter { widths[$0] < columns[$0].maxWidth }
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
        for (i, w) in widths.enumerated() {
            let text = i < cells.count ? cells[i] : ""
            canvas.text(row, col, text, width: w, style, alignRight: columns[i].alignRight)
            col += w + 1
        }
    }
}
