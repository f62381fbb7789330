import Testing
@testable import SluiceConsole

/// Cell widths and clipping: CJK takes two cells, nothing ever overflows its space.
struct CellWidthTests {
    @Test func widths() {
        #expect(CellWidth.of("abc") == 3)
        #expect(CellWidth.of("路由") == 4)
        #expect(CellWidth.of("é") == 1)
        #expect(CellWidth.of("●▁█") == 3)
    }

    @Test func clipping() {
        #expect(CellWidth.clip("hello", to: 5) == "hello")
        #expect(CellWidth.clip("hello world", to: 6) == "hello…")
        #expect(CellWidth.clip("数据库路由", to: 6) == "数据…")
        #expect(CellWidth.of(CellWidth.clip("数据库路由", to: 5)) <= 5)
        #expect(CellWidth.pad("ab", to: 4) == "ab  ")
    }

    @Test func memoryCanvasPlacesWideCharacters() {
        let c = MemoryCanvas(rows: 2, cols: 10)
        c.text(0, 0, "路由 ok", width: 10)
        #expect(c.line(0) == "路由 ok")
        c.text(1, 0, "abcdefghijklmnop", width: 10)
        #expect(c.line(1) == "abcdefghi…")
    }
}
