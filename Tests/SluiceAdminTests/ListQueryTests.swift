import SluiceConfig
import Testing
@testable import SluiceAdmin

/// page / page_size / filter / name, as `GET /x` applies them.
struct ListQueryTests {
    @Test func noParametersMeansEverything() throws {
        let q = try ListQuery(query: [:])
        #expect(q.page(Array(1...25)) == Array(1...25))
    }

    @Test func pages() throws {
        let items = Array(1...25)
        #expect(try ListQuery(query: ["page": "1", "page_size": "10"]).page(items) == Array(1...10))
        #expect(try ListQuery(query: ["page": "3", "page_size": "10"]).page(items) == Array(21...25))
        #expect(try ListQuery(query: ["page": "4", "page_size": "10"]).page(items) == [])
        #expect(try ListQuery(query: ["page": "2"]).page(items) == Array(11...20))
    }

    @Test func hugePageNumbersAreRefusedNotOverflowed() throws {
        #expect(throws: AdminError.self) { try ListQuery(query: ["page": "922337203685477582", "page_size": "10"]) }
        #expect(throws: AdminError.self) { try ListQuery(query: ["page": "1000001"]) }
        #expect(try ListQuery(query: ["page": "1000000", "page_size": "500"]).page(Array(1...3)) == [])
        var q = try ListQuery(query: [:])
        q.page = Int.max
        q.pageSize = 500
        #expect(q.page(Array(1...3)) == [])
    }

    @Test(arguments: [["page": "0"], ["page": "x"], ["page_size": "9"], ["page_size": "501"], ["filter": "nokey"]])
    func invalidParametersAreRefused(_ query: [String: String]) {
        #expect(throws: AdminError.self) { try ListQuery(query: query) }
    }

    @Test func filtersMatchTopLevelFields() throws {
        let a = try ConfigValue.parseJSON(Array(#"{"id":"1","service_id":"1","upstream_id":2,"name":"alpha"}"#.utf8))
        let b = try ConfigValue.parseJSON(Array(#"{"id":"2","service_id":"2"}"#.utf8))
        let q = try ListQuery(query: ["filter": "service_id=1"])
        #expect(q.matches(a) && !q.matches(b))
        let both = try ListQuery(query: ["filter": "service_id=1&upstream_id=2"])
        #expect(both.matches(a) && !both.matches(b))
        let name = try ListQuery(query: ["name": "lph"])
        #expect(name.matches(a) && !name.matches(b))
    }
}
