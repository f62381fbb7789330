/// Outcome of feeding the first bytes of a connection to `ProxyProtocolParser.parse(_:)`.
package enum ProxyProtocolParseResult: Sendable, Equatable {
    /// The bytes so far are a strict prefix of a possibly valid header; read more and call again.
    /// Never returned once 107 bytes (v1) or the declared v2 length (at most 536 bytes) are available.
    case needMoreData
    /// A complete header; `consumed` bytes from the start of the input belong to it, the rest is payload.
    case header(ProxyProtocolHeader, consumed: Int)
    /// Not a valid PROXY header; the string says why (for the log).
    case invalid(String)
}
