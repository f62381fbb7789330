/// Line differences between two texts as a unified diff (`diff -u`), found with Myers' O(ND) algorithm.
///
/// The common head and tail are set aside first; when the rest differs in more than `maxEdits` lines, it is shown
/// as all removed and all added rather than searched further, so the cost stays bounded whatever the input.
public enum UnifiedDiff {
    /// One line of the comparison.
    public enum Line: Equatable, Sendable {
        case same(Substring)
        case removed(Substring)
        case added(Substring)
    }

    /// Lines of context around each change.
    public static let context = 3
    static let maxEdits = 2_000

    /// The unified diff from `old` to `new`, with `---`/`+++` lines naming them; empty when the texts have the
    /// same lines.
    public static func text(from old: String, to new: String, oldName: String, newName: String) -> String {
        let edits = lines(from: splitLines(old), to: splitLines(new))
        let hunks = self.hunks(edits)
        if hunks.isEmpty { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks { out += hunk }
        return out
    }

    /// Every line of both texts, in order, marked as kept, removed or added.
    public static func lines(from a: [Substring], to b: [Substring]) -> [Line] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let midA = Array(a[head..<(a.count - tail)]), midB = Array(b[head..<(b.count - tail)])
        let middle = myers(midA, midB) ?? (midA.map(Line.removed) + midB.map(Line.added))
        return a[..<head].map(Line.same) + middle + a[(a.count - tail)...].map(Line.same)
    }

    static func splitLines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The shortest edit script, or nil when it needs more than `maxEdits` insertions and deletions.
    private static func myers(_ a: [Substring], _ b: [Substring]) -> [Line]? {
        let n = a.count, m = b.count
        if n == 0 || m == 0 { return a.map(Line.removed) + b.map(Line.added) }
        let limit = min(n + m, maxEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found: Int?
        search: for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                    : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = d; break search }
            }
        }
        guard let depth = found else { return nil }
        var out: [Line] = []
        var x = n, y = m
        for d in stride(from: depth, through: 0, by: -1) {
            let saved = trace[d]
            let k = x - y
            let prevK = (k == -d || (k != d && saved[offset + k - 1] < saved[offset + k + 1])) ? k + 1 : k - 1
            let prevX = saved[offset + prevK], prevY = prevX - prevK
            while x > prevX && y > prevY {
                out.append(.same(a[x - 1]))
                x -= 1
                y -= 1
            }
            if d > 0 {
                if x == prevX { out.append(.added(b[y - 1])) } else { out.append(.removed(a[x - 1])) }
            }
            x = prevX
            y = prevY
        }
        return out.reversed()
    }

    /// The `@@ -a,b +c,d @@` hunks, each with up to `context` unchanged lines around its changes.
    private static func hunks(_ edits: [Line]) -> [String] {
        let changed = edits.indices.filter { if case .same = edits[$0] { false } else { true } }
        guard let first = changed.first else { return [] }
        // Lines of the old and the new text before each edit index.
        var before: [(a: Int, b: Int)] = []
        var a = 0, b = 0
        for edit in edits {
            before.append((a, b))
            switch edit {
            case .same: a += 1; b += 1
            case .removed: a += 1
            case .added: b += 1
            }
        }
        before.append((a, b))
        var groups: [(Int, Int)] = []
        var start = first, end = first
        for index in changed.dropFirst() {
            if index - end - 1 <= 2 * context { end = index } else {
                groups.append((start, end))
                start = index
                end = index
            }
        }
        groups.append((start, end))
        return groups.map { group in
            let lo = max(0, group.0 - context), hi = min(edits.count - 1, group.1 + context)
            let oldCount = before[hi + 1].a - before[lo].a, newCount = before[hi + 1].b - before[lo].b
            let oldStart = oldCount == 0 ? before[lo].a : before[lo].a + 1
            let newStart = newCount == 0 ? before[lo].b : before[lo].b + 1
            var text = "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for edit in edits[lo...hi] {
                switch edit {
                case .same(let s): text += " \(s)\n"
                case .removed(let s): text += "-\(s)\n"
                case .added(let s): text += "+\(s)\n"
                }
            }
            return text
        }
    }
}
