import SluiceConfig

/// `PUT`, `POST`, `PATCH` and `DELETE` of stored objects, each one Store transaction (`writeObject`,
/// `deleteObject` — the console's too), so the If-Match check, the merge, the stamps and the write see the same
/// version.
struct ResourceWriter: Sendable {
    let store: Store
    /// Seconds since the epoch, for `create_time` / `update_time`.
    let now: @Sendable () -> Int
    /// The listeners in force, for the warnings (nil: unknown, listener checks skipped).
    let listeners: @Sendable () -> [ListenerSpec]?

    /// `PUT /x/{id}` (or `PUT /x` with the id in the body): 201 created, 200 replaced.
    func put(_ kind: ResourceKind, id pathID: String?, _ request: AdminRequest) throws(AdminError) -> AdminResponse {
        let body = try Self.objectBody(request)
        let bodyID = ObjectStamp.idText(body["id"])
        if let pathID, let bodyID, bodyID != pathID { throw .badRequest("wrong \(kind.singular) id") }
        guard let id = pathID ?? bodyID else { throw .badRequest("missing \(kind.singular) id") }
        return try write(kind, ifMatch: request.header("if-match")) { _, _ throws(AdminError) in (id, body) }
    }

    /// `POST /x`: 201 with a generated id.
    func post(_ kind: ResourceKind, _ request: AdminRequest) throws(AdminError) -> AdminResponse {
        let body = try Self.objectBody(request)
        if body["id"] != nil { throw .badRequest("wrong \(kind.singular) id, do not need it") }
        return try write(kind, ifMatch: request.header("if-match")) { snapshot, _ throws(AdminError) in
            (ObjectStamp.newID(kind, in: snapshot), body)
        }
    }

    /// `PATCH /x/{id}` (JSON merge patch) or `PATCH /x/{id}/<sub/path>` (replace that field); 404 when missing.
    func patch(_ kind: ResourceKind, id: String, subPath: [String], _ request: AdminRequest) throws(AdminError) -> AdminResponse {
        let body = try Self.parse(request)
        if subPath.isEmpty && body.entries == nil { throw .invalidBody("a merge patch must be a JSON object") }
        if subPath == ["id"] { throw .badRequest("wrong \(kind.singular) id") }
        return try write(kind, ifMatch: request.header("if-match")) { _, lookup throws(AdminError) in
            guard let old = lookup(id) else { throw .keyNotFound }
            let merged = subPath.isEmpty ? JSONMergePatch.apply(body, to: old)
                : try JSONMergePatch.replace(at: subPath, in: old, with: body)
            if let newID = ObjectStamp.idText(merged["id"]), newID != id { throw .badRequest("wrong \(kind.singular) id") }
            return (id, merged)
        }
    }

    /// `DELETE /x/{id}`: refused while other objects use it, naming them. `force=true` does not make a dangling
    /// reference valid: the store still refuses a configuration whose routes lose their upstream, with the paths.
    func delete(_ kind: ResourceKind, id: String, _ request: AdminRequest) throws(AdminError) -> AdminResponse {
        let force = request.query["force"] == "true"
        let ifMatch = request.header("if-match")
        try mapped(objectPath: nil) {
            try store.deleteObject(kind, id: id, source: .adminAPI) { snapshot in
                try Self.checkIfMatch(ifMatch, snapshot.objectRevision(kind, id))
                let referrers = References.referrers(of: kind, id, in: snapshot.config)
                if !referrers.isEmpty && !force {
                    throw AdminError.badRequest("can not delete this \(kind.singular), "
                        + "\(referrers.joined(separator: ", ")) is still using it now")
                }
            }
        }
        return AdminResponse(status: 200, json: .map([
            ("deleted", .string("1")), ("key", .string(ObjectView.key(kind, id))),
        ]))
    }

    /// The shared write: resolve id and value against the current snapshot (`resolve` gets it and a lookup of
    /// stored values by id), check If-Match; the Store stamps, checks and puts.
    private func write(_ kind: ResourceKind, ifMatch: String?,
                       resolve: (ConfigSnapshot, (String) -> ConfigValue?) throws(AdminError) -> (String, ConfigValue)
    ) throws(AdminError) -> AdminResponse {
        var objectPath: String?
        let result = try mapped(objectPath: { objectPath }) {
            try store.writeObject(kind, source: .adminAPI, now: now()) { snapshot in
                let docs = snapshot.config.documents(kind)
                let (id, proposed) = try resolve(snapshot) { wanted in docs.first { $0.id == wanted }?.raw }
                try Self.checkIfMatch(ifMatch, snapshot.objectRevision(kind, id))
                objectPath = "\(kind.rawValue)[\(docs.firstIndex { $0.id == id } ?? docs.count)]"
                return (id, proposed)
            }
        }
        let revision = result.snapshot.objectRevision(kind, result.id)
        var body = ConfigValue.map([
            ("key", .string(ObjectView.key(kind, result.id))), ("value", ObjectView.visible(kind, result.value)),
        ])
        // Saved, but cannot work as written: said, not refused (`ConfigWarnings`), paths relative to the object.
        let warnings = ConfigWarnings.of(kind, result.id, in: result.snapshot.config, listeners: listeners())
        if !warnings.isEmpty { body["warnings"] = .list(warnings.map { .string($0.fieldMessage) }) }
        return AdminResponse(status: result.created ? 201 : 200, json: body, headers: [("ETag", ObjectView.etag(revision))])
    }

    /// Runs a store transaction, mapping every refusal to an `AdminError`.
    @discardableResult
    private func mapped<T>(objectPath: () -> String?, _ body: () throws -> T) throws(AdminError) -> T {
        do {
            return try body()
        } catch let error as AdminError {
            throw error
        } catch let error as StoreError {
            throw AdminError.from(error, objectPath: objectPath())
        } catch {
            throw AdminError(.error(500, "\(error)"))
        }
    }

    @discardableResult
    private func mapped<T>(objectPath: String?, _ body: () throws -> T) throws(AdminError) -> T {
        try mapped(objectPath: { objectPath }, body)
    }

    private static func checkIfMatch(_ header: String?, _ revision: ObjectRevision?) throws(AdminError) {
        guard let header else { return }
        if !ObjectView.ifMatch(header, matches: revision) {
            throw .preconditionFailed(expected: header, current: revision.map { "\"\($0.modified)\"" } ?? "(none: no such object)")
        }
    }

    private static func parse(_ request: AdminRequest) throws(AdminError) -> ConfigValue {
        do { return try ConfigValue.parseJSON(request.body) } catch { throw .invalidBody(error.fieldMessage) }
    }

    private static func objectBody(_ request: AdminRequest) throws(AdminError) -> ConfigValue {
        let body = try parse(request)
        guard body.entries != nil else { throw .invalidBody("must be a JSON object, got \(body.typeName)") }
        return body
    }
}
