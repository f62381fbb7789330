import Foundation
import SluiceConfig

/// `/sluice/v1/revisions`: the configuration history — list, one revision with its document, a diff between two,
/// and rollback (POST, so the viewer key cannot). Documents and diffs never show private keys.
struct RevisionEndpoints: Sendable {
    let store: Store

    /// `{"total":N,"list":[entry…]}`, newest first, paged with `page`/`page_size` like the object lists.
    func list(query: [String: String]) throws(AdminError) -> AdminResponse {
        let q = try ListQuery(query: query)
        if !q.filters.isEmpty || q.name != nil { throw .badRequest("revisions are listed with page and page_size only") }
        let entries = store.revisions
        return AdminResponse(status: 200, json: .map([
            ("total", .int(entries.count)), ("list", .list(q.page(entries).map(\.value))),
        ]))
    }

    /// The entry with `"document"`: the data file's text at that revision.
    func get(_ number: Int) throws(AdminError) -> AdminResponse {
        guard let entry = store.revision(number) else { throw Self.notKept(number) }
        var value = entry.value
        value["document"] = .string(try mapped { () throws(StoreError) in try store.revisionDocument(number) })
        return AdminResponse(status: 200, json: value)
    }

    /// `text/plain` unified diff from `against` (default: the revision before) to `number`.
    func diff(_ number: Int, query: [String: String]) throws(AdminError) -> AdminResponse {
        var against: Int?
        if let a = query["against"] {
            guard let n = Int(a), n >= 1 else { throw .badRequest("invalid against: must be a revision number, got \"\(a)\"") }
            against = n
        }
        let text = try mapped { () throws(StoreError) in try store.diff(number, against: against) }
        return AdminResponse(status: 200, plainText: text)
    }

    /// Restores revision `number` as a new revision; 200 with the new revision's entry (the current one when that
    /// configuration is in force already), 400 with the errors when it no longer validates. With `If-Match: "<n>"`
    /// (the newest revision listed) it is refused with 412 when the configuration changed since.
    func rollback(_ number: Int, ifMatch: String?) throws(AdminError) -> AdminResponse {
        var expected: Int?
        if let ifMatch {
            let text = ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
            guard let n = Int(text) else {
                throw .badRequest("invalid If-Match: must be a revision number (\"12\"), got \(ifMatch)")
            }
            expected = n
        }
        let snapshot = try mapped { () throws(StoreError) in try store.rollback(to: number, ifRevision: expected) }
        // With etcd the revision in force may be one that changed none of Sluice's keys: the newest entry up to it.
        guard let entry = store.revision(snapshot.revision)
                ?? store.revisions.first(where: { $0.number <= snapshot.revision }) else {
            throw AdminError(.error(500, "revision \(snapshot.revision) is in force but not in the history"))
        }
        return AdminResponse(status: 200, json: entry.value)
    }

    private static func notKept(_ number: Int) -> AdminError {
        AdminError.from(.revisionNotFound(number), objectPath: nil)
    }

    private func mapped<T>(_ body: () throws(StoreError) -> T) throws(AdminError) -> T {
        do { return try body() } catch { throw AdminError.from(error, objectPath: nil) }
    }
}
