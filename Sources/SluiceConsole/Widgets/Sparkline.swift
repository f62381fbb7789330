/// A row of block characters, one per cell, the height of each the sample's share of the largest (ctop).
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `samples` (oldest first) in `width` cells: when there are more samples than cells, each cell is the mean of
    /// its share; fewer samples fill the right end (the newest is always rightmost), the rest stays blank.
    /// A zero shows as the lowest block, so an idle route still draws a line.
    static func render(_ samples: [Double], width: Int) -> String {
        guard width > 0, !samples.isEmpty else { return String(repeating: " ", count: max(0, width)) }
        var cells: [Double] = []
        if samples.count > width {
            for i in 0..<width {
                let lo = i * samples.count / width, hi = max(lo + 1, (i + 1) * samples.count / width)
                let part = samples[lo..<hi]
                cells.append(part.reduce(0, +) / Double(part.count))
            }
        } else {
            cells = samples
        }
        let peak = cells.max() ?? 0
        let line = cells.map { v -> Character in
            guard peak > 0, v > 0 else { return blocks[0] }
            return blocks[min(blocks.count - 1, max(1, Int((v / peak * Double(blocks.count - 1)).rounded())))]
        }
        return String(repeating: " ", count: width - cells.count) + String(line)
    }
}
