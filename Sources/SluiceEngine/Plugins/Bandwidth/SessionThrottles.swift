/// The read throttles of a session's two directions, made by the transfer phase (limit-bandwidth) when the session
/// is joined; nil for a direction that is not limited.
struct SessionThrottles {
    /// Client ⇒ upstream: paces reads from the client.
    var upload: ReadThrottle?
    /// Upstream ⇒ client: paces reads from the upstream.
    var download: ReadThrottle?

    static var none: SessionThrottles { SessionThrottles() }
}
