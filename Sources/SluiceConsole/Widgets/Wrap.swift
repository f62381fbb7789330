/// Text broken into lines of at most `width` cells, at spaces where it can, mid-word where it must.
enum Wrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [text] }
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = "", used = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
                var rest = word
                let need = CellWidth.of(rest) + (line.isEmpty ? 0 : 1)
                if used + need <= width {
                    line += (line.isEmpty ? "" : " ") + rest
                    used += need
                    continue
                }
                if !line.isEmpty { out.append(line) }
                line = ""
                used = 0
                while CellWidth.of(rest) > width {
                    let head = CellWidth.prefix(rest, fitting: width)
                    out.append(head)
                    rest.removeFirst(head.count)
                }
                line = rest
                used = CellWidth.of(rest)
            }
            out.append(line)
        }
        return out
    }
}
