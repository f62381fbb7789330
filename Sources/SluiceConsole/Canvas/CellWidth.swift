/// Terminal cell widths: CJK and other wide characters take two cells, combining marks none.
///
/// Computed here rather than with `wcwidth`, whose answer depends on the process locale.
public enum CellWidth {
    /// Cells one character takes.
    public static func of(_ c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark {
            return 0
        }
        return isWide(v) ? 2 : 1
    }

    /// Cells a string takes.
    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    /// The longest prefix of `s` that fits in `width` cells; a cut string ends with `…`.
    public static func clip(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(s) <= width { return s }
        return prefix(s, fitting: width - 1) + "…"
    }

    /// The longest prefix of `s` that fits in `width` cells, cut without a mark.
    public static func prefix(_ s: String, fitting width: Int) -> String {
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w > width { break }
            out.append(c)
            used += w
        }
        return out
    }

    /// `s` padded with spaces (or clipped) to exactly `width` cells.
    public static func pad(_ s: String, to width: Int) -> String {
        let clipped = clip(s, to: width)
        return clipped + String(repeating: " ", count: max(0, width - of(clipped)))
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
