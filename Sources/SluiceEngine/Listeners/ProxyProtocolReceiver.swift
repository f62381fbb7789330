import NIOCore

/// The first handler on a `proxy_protocol: true` listener: reads the PROXY v1/v2 header, tells the
/// `TCPSession` who the client really is, passes any bytes after the header on, and leaves the pipeline.
/// Garbage or a broken header closes the connection (logged as `bad_proxy_header`) without waiting for more.
final class ProxyProtocolReceiver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let session: TCPSession
    private var bytes: [UInt8] = []
    private var done = false

    init(session: TCPSession) { self.session = session }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else {
            context.fireChannelRead(data)
            return
        }
        var buffer = unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        switch ProxyProtocolParser.parse(bytes[...]) {
        case .needMoreData:
            return
        case .invalid(let why):
            done = true
            session.refuse(.badProxyHeader, why: "Invalid PROXY protocol header: \(why)")
        case .header(let header, let consumed):
            done = true
            session.received(proxyHeader: header)
            if consumed < bytes.count {
                context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: bytes[consumed...])))
                context.fireChannelReadComplete()
            }
            bytes = []
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !done, let e = event as? ChannelEvent, case .inputClosed = e {
            done = true
            session.refuse(.badProxyHeader, why: "Connection ended inside the PROXY protocol header")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
