import SluiceConfig

/// `GET /x/{id}` and `GET /x` from the store's current snapshot.
struct ResourceReader: Sendable {
    let store: Store

    /// One object with its indexes and an `ETag`; 404 `Key not found` when missing.
    func get(_ kind: ResourceKind, id: String) throws(AdminError) -> AdminResponse {
        let snapshot = store.snapshot
        guard let doc = snapshot.config.documents(kind).first(where: { $0.id == id }) else { throw .keyNotFound }
        let revision = snapshot.objectRevision(kind, id)
        return AdminResponse(status: 200, json: ObjectView.item(kind, id, doc.raw, revision),
                             headers: [("ETag", ObjectView.etag(revision))])
    }

    /// `{"total":N,"list":[…]}`: `total` counts the objects passing the filters, `list` holds the page asked for.
    func list(_ kind: ResourceKind, query: [String: String]) throws(AdminError) -> AdminResponse {
        let q = try ListQuery(query: query)
        let snapshot = store.snapshot
        let matching = snapshot.config.documents(kind).filter { q.matches($0.raw) }
        let items = q.page(matching).map { ObjectView.item(kind, $0.id, $0.raw, snapshot.objectRevision(kind, $0.id)) }
        return AdminResponse(status: 200, json: .map([("total", .int(matching.count)), ("list", .list(items))]),
                             headers: [("ETag", "\"\(snapshot.revision)\"")])
    }
}
