import Testing
@testable import SluiceConfig

/// Line diffs: the shortest edit script, hunks with three lines of context, and bounded work on big inputs.
struct UnifiedDiffTests {
    func lines(_ s: String) -> [Substring] { UnifiedDiff.splitLines(s) }

    /// Applying the edit script to the old lines gives the new ones.
    func replay(_ edits: [UnifiedDiff.Line]) -> (old: [Substring], new: [Substring]) {
        var old: [Substring] = [], new: [Substring] = []
        for e in edits {
            switch e {
            case .same(let s): old.append(s); new.append(s)
            case .removed(let s): old.append(s)
            case .added(let s): new.append(s)
            }
        }
        return (old, new)
    }

    @Test(arguments: [("a\nb\nc\n", "a\nc\n"), ("", "x\ny\n"), ("x\n", ""), ("a\nb\nc\nd\n", "b\nx\nd\ne\n"),
                      ("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\nX\n4\n5\n6\nY\n8\n")])
    func editScriptReplays(_ a: String, _ b: String) {
        let edits = UnifiedDiff.lines(from: lines(a), to: lines(b))
        let r = replay(edits)
        #expect(r.old == lines(a) && r.new == lines(b))
    }

    @Test func shortestScript() {
        let edits = UnifiedDiff.lines(from: lines("a\nb\nc\na\nb\nb\na\n"), to: lines("c\nb\na\nb\na\nc\n"))
        #expect(edits.filter { if case .same = $0 { false } else { true } }.count == 5)  // Myers' own example: D = 5
    }

    @Test func distantChangesAreSeparateHunks() {
        let old = (1...20).map(String.init).joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "\n2\n", with: "\ntwo\n").replacingOccurrences(of: "\n18\n", with: "\neighteen\n")
        #expect(UnifiedDiff.text(from: old, to: new, oldName: "a", newName: "b") == """
        --- a
        +++ b
        @@ -1,5 +1,5 @@
         1
        -2
        +two
         3
         4
         5
        @@ -15,6 +15,6 @@
         15
         16
         17
        -18
        +eighteen
         19
         20

        """)
        #expect(UnifiedDiff.text(from: old, to: old, oldName: "a", newName: "b") == "")
    }

    @Test func hugeRewritesStayBounded() {
        let old = (0..<6000).map { "old \($0)" }.joined(separator: "\n")
        let new = (0..<6000).map { "new \($0)" }.joined(separator: "\n")
        let edits = UnifiedDiff.lines(from: lines(old), to: lines(new))
        #expect(edits.count == 12000)
        let r = replay(edits)
        #expect(r.old == lines(old) && r.new == lines(new))
    }
}
