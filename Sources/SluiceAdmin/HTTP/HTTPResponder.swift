/// What answers the requests of one HTTP listener (`AdminServer`): the Admin API, the Prometheus endpoint.
/// Called off the event loops.
public protocol HTTPResponder: Sendable {
    /// A response decided by the request head alone (the body is not read then), or nil to go on.
    func refusal(for request: AdminRequest) -> AdminResponse?
    /// The response to a whole request.
    func handle(_ request: AdminRequest) -> AdminResponse
}

extension AdminAPI: HTTPResponder {}
