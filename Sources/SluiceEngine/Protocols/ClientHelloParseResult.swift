/// Outcome of peeking at the first bytes of a TLS connection with `ClientHelloParser.parse(_:)`.
package enum ClientHelloParseResult: Sendable, Equatable {
    /// The bytes so far are a strict prefix of a possibly valid ClientHello record; read more and call again.
    case needMoreData
    /// A complete ClientHello. `serverName` is the SNI host name, lower-cased with one trailing dot removed,
    /// or nil when the client sent no server_name extension; `alpn` lists the offered ALPN protocols in order
    /// (empty when the extension is absent).
    case clientHello(serverName: String?, alpn: [String])
    /// The stream does not start with a TLS handshake record (wrong content type or record version).
    case notTLS(String)
    /// A TLS handshake record whose contents are not a well-formed ClientHello; the string says why.
    case malformed(String)
}
