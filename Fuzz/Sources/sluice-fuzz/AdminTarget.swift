import Foundation
import SluiceAdmin
import SluiceConfig

/// The Admin API's router and query parser on any request line: the input's first byte picks the method, the rest
/// is the target (path and query string). Reads go through the whole API (`AdminAPI.handle` on a real Store in a
/// temporary folder): never a crash, never a 5xx, a page never longer than its page size. A PATCH's sub-path goes to
/// `JSONMergePatch.replace` on the object it names (what the write would do, without writing): refused with a 400,
/// or the value is found again at that path. `ListQuery` pages a 25-item list exactly as the arithmetic says.
enum AdminTarget {
    static func check(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let method = AdminFixture.methods[Int(selector) % AdminFixture.methods.count]
        let request = AdminRequest(method: method, target: String(decoding: bytes.dropFirst(), as: UTF8.self),
                                   headers: ["X-API-KEY": AdminFixture.key])
        let route = AdminRoute.match(request.path)
        checkPaging(request.query)
        if method == "PATCH" {
            if case .object(let kind, let id, let subPath)? = route {
                checkReplace(AdminFixture.shared.object(kind, id), subPath)
            }
            return
        }
        let response = AdminFixture.shared.api.handle(request)
        precondition(response.status < 500, "\(method) \(request.path) answered \(response.status): \(response.body)")
        if case .collection? = route, response.status == 200, let query = try? ListQuery(query: request.query),
           query.page != nil || query.pageSize != nil {
            let listed = (try? ConfigValue.parseJSON(Array(response.body.utf8)))?["list"]
            guard case .list(let items)? = listed?.kind else { preconditionFailure("no list in \(response.body)") }
            precondition(items.count <= query.pageSize ?? 10, "\(items.count) items on a page of \(query.pageSize ?? 10)")
        }
    }
}

/// A Store holding a few objects (nested maps and lists for sub-paths to walk) and the API over it.
struct AdminFixture: Sendable {
    /// Made on first use, once.
    static let shared = AdminFixture()
    static let key = "fuzz-admin-key"
    /// Reads only (PATCH is checked without writing): nothing the fuzzer does changes the store.
    static let methods = ["GET", "GET", "GET", "PATCH", "OPTIONS", "HEAD"]
    static let document = """
        stream_routes:
          - id: "db"
            server_port: 9101
            remote_addr: ["10.0.0.0/8", "::1"]
            upstream_id: "db"
        upstreams:
          - id: "db"
            name: "database"
            type: roundrobin
            timeout: {connect: 5, send: 600, read: 600}
            nodes:
              - {host: "127.0.0.1", port: 3306, weight: 2}
              - {host: "127.0.0.2", port: 3306, weight: 1}
        """

    let store: Store
    let api: AdminAPI

    init() {
        let dir = NSTemporaryDirectory() + "sluice-fuzz-admin-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Self.document.write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
            store = try Store(dataFile: dir + "/gateway.yaml")
        } catch {
            fatalError("fixture store in \(dir): \(error)")
        }
        api = AdminAPI.withoutEngine(store: store,
                                     auth: AdminAuth(key: Self.key, viewerKey: nil, allow: [CIDR("127.0.0.0/8")!]))
    }

    /// The stored object of that kind and id, or an empty object (PATCH of a missing id gets `{}` to walk).
    func object(_ kind: ResourceKind, _ id: String) -> ConfigValue {
        store.snapshot.config.documents(kind).first { $0.id == id }?.raw ?? .map([])
    }
}

/// `replace` either refuses, or puts the value where the path says.
private func checkReplace(_ target: ConfigValue, _ path: [String]) {
    let marker = ConfigValue.string("fuzz-marker")
    guard let replaced = try? JSONMergePatch.replace(at: path, in: target, with: marker) else { return }
    precondition(path.count <= JSONMergePatch.maxSubPathDepth, "a \(path.count)-segment path was accepted")
    var current = replaced
    for head in path {
        switch current.kind {
        case .map:
            guard let next = current[head] else { preconditionFailure("key \(head) missing after replace") }
            current = next
        case .list(let items):
            guard let i = Int(head), items.indices.contains(i) else { preconditionFailure("index \(head) missing") }
            current = items[i]
        default:
            preconditionFailure("\(head) is under a scalar after replace")
        }
    }
    precondition(current == marker, "found \(current) instead of the value written")
}

/// Pages of a 25-item list: what `page` and `page_size` say, overflow or not.
private func checkPaging(_ query: [String: String]) {
    guard let q = try? ListQuery(query: query) else { return }
    precondition((1...ListQuery.maxPage).contains(q.page ?? 1), "page \(q.page ?? 1) accepted")
    let items = Array(0..<25)
    let page = q.page(items)
    guard q.page != nil || q.pageSize != nil else {
        precondition(page == items, "no paging asked for, yet \(page.count) items")
        return
    }
    let size = q.pageSize ?? 10
    let start = ((q.page ?? 1) - 1) * size
    precondition(page == Array(items.dropFirst(start).prefix(size)), "page \(q.page ?? 1)×\(size) gave \(page)")
}
