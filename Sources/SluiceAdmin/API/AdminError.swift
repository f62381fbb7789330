import SluiceConfig

/// A refused request, carrying the response to send (APISIX's error shapes).
public struct AdminError: Error, Sendable {
    public var response: AdminResponse

    public init(_ response: AdminResponse) { self.response = response }

    /// 400 `{"error_msg": …}`.
    static func badRequest(_ message: String) -> AdminError { AdminError(.error(400, message)) }
    /// 404 `{"message":"Key not found"}`, as APISIX answers for a missing object.
    static let keyNotFound = AdminError(AdminResponse(status: 404, json: .map([("message", .string("Key not found"))])))
    /// 404 for a path that names no resource.
    static func unknownPath(_ path: String) -> AdminError { AdminError(.error(404, "not found: \(path)")) }
    static func preconditionFailed(expected: String, current: String) -> AdminError {
        AdminError(.error(412, "If-Match \(expected) does not match the current version \(current); "
                          + "GET the object again and retry"))
    }
    static func methodNotAllowed(_ method: String) -> AdminError { AdminError(.error(405, "method \(method) not allowed here")) }
    static func invalidBody(_ why: String) -> AdminError { badRequest("invalid request body: \(why)") }

    /// Maps a store refusal; validation paths are made relative to the object at `objectPath` (`stream_routes[3]`).
    static func from(_ error: StoreError, objectPath: String?) -> AdminError {
        switch error {
        case .invalid(let errors):
            return badRequest(ValidationMessage.text(errors.errors.map { ErrorPaths.relative($0, to: objectPath) }))
        case .notFound:
            return keyNotFound
        case .revisionNotFound:
            return AdminError(.error(404, error.description))
        case .persistFailed:
            return AdminError(.error(500, error.description))
        case .dataFileBroken:
            return AdminError(.error(409, error.description))
        case .readOnly:
            return AdminError(.error(405, error.description))
        case .unavailable:
            return AdminError(.error(503, error.description))
        case .conflict:
            return AdminError(.error(412, error.description))
        }
    }
}
