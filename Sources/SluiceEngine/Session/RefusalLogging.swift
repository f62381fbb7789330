import Logging

extension Logger {
    /// A session refused before it reached a node, as both executors log it: why (the plugin's or the engine's
    /// words), the client, the listener, the close reason, and the SNI and error when known.
    func refusal(_ why: String?, client: String, listener: String, reason: CloseReason, sni: String? = nil,
                 error: Error? = nil) {
        var metadata: Logger.Metadata = [
            "client": "\(client)", "listener": "\(listener)", "close_reason": "\(reason.rawValue)",
        ]
        if let sni { metadata["sni"] = "\(sni)" }
        if let error { metadata["error"] = "\(error)" }
        info("\(why ?? "Connection refused")", metadata: metadata)
    }
}
