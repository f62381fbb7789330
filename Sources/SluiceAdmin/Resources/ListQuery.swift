import SluiceConfig

/// The list parameters of `GET /x`: `page` (1…1,000,000), `page_size` (10…500), `filter` (URL-encoded `key=value`
/// pairs joined with `&`, all must match a top-level field) and `name` (substring of `name`), as APISIX v3.
public struct ListQuery: Equatable, Sendable {
    public var page: Int?
    public var pageSize: Int?
    public var filters: [(String, String)] = []
    public var name: String?

    public static func == (a: ListQuery, b: ListQuery) -> Bool {
        a.page == b.page && a.pageSize == b.pageSize && a.name == b.name
            && a.filters.map { "\($0.0)=\($0.1)" } == b.filters.map { "\($0.0)=\($0.1)" }
    }

    /// The highest page number accepted.
    public static let maxPage = 1_000_000

    /// Reads the parameters from a decoded query.
    /// - Throws: 400 for a page outside 1…`maxPage`, a page size outside 10…500, or a filter without `=`.
    public init(query: [String: String]) throws(AdminError) {
        if let p = query["page"] {
            guard let n = Int(p), (1...Self.maxPage).contains(n) else {
                throw .badRequest("invalid page: must be an integer 1…\(Self.maxPage), got \"\(p)\"")
            }
            page = n
        }
        if let s = query["page_size"] {
            guard let n = Int(s), (10...500).contains(n) else {
                throw .badRequest("invalid page_size: must be 10…500, got \"\(s)\"")
            }
            pageSize = n
        }
        if let f = query["filter"], !f.isEmpty {
            for pair in f.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw .badRequest("invalid filter: expected key=value, got \"\(pair)\"")
                }
                filters.append((String(kv[0]), String(kv[1])))
            }
        }
        name = query["name"]
    }

    /// Whether an object's stored value passes the filters.
    public func matches(_ value: ConfigValue) -> Bool {
        for (key, wanted) in filters {
            guard let v = value[key], Self.scalarText(v) == wanted else { return false }
        }
        if let name, !name.isEmpty {
            guard let n = value["name"]?.stringValue, n.contains(name) else { return false }
        }
        return true
    }

    /// The page of `items` asked for: everything when neither `page` nor `page_size` is given,
    /// otherwise `page_size` (default 10) items of page `page` (default 1).
    public func page<T>(_ items: [T]) -> [T] {
        guard page != nil || pageSize != nil else { return items }
        let size = max(1, pageSize ?? 10)
        let (start, overflow) = (max(1, page ?? 1) - 1).multipliedReportingOverflow(by: size)
        guard !overflow, start < items.count else { return [] }
        return Array(items[start..<min(items.count, start + size)])
    }

    private static func scalarText(_ v: ConfigValue) -> String? {
        switch v.kind {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): String(b)
        case .double(let d): String(d)
        default: nil
        }
    }
}
