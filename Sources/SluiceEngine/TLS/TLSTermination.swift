import NIOCore
import NIOSSL
import NIOTLS

/// TLS termination on a `tls: true` listener: NIO's `SNIHandler` reads the ClientHello's server name, the
/// certificate is chosen by that name from the current `CertificateStore`, and a `NIOSSLServerHandler` with it is
/// put in front of the `ClientFrontHandler`, which routes once the handshake completes. No name, or no certificate
/// for it, closes the connection (logged) before any handshake reply.
enum TLSTermination {
    static func sniStep(channel: Channel, context: EngineContext, session: TCPSession,
                        before front: ClientFrontHandler) -> ByteToMessageHandler<SNIHandler> {
        ByteToMessageHandler(SNIHandler { result in
            let name: String? = if case .hostname(let h) = result { h.lowercased() } else { nil }
            session.serverName = name
            guard let tls = context.certificates?.context(for: name) else {
                session.refuse(.noCertificate,
                               why: name == nil ? "TLS ClientHello without a server name; closed"
                                                : "No certificate for the TLS server name; closed")
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .before(front))
            }
        })
    }
}
