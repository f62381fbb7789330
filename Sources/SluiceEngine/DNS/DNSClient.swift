import NIOCore
import NIOPosix
import SluiceConfig

/// Asks the configured DNS servers (`dns_resolver`) for a name's A and AAAA records over UDP, one server after
/// another until one answers within the timeout. Runs on an event loop: nothing blocks.
struct DNSClient: Sendable {
    let servers: [HostPort]
    let timeout: TimeAmount

    /// Both record types asked at once; the answer has the addresses of either (IPv4 first) and the smaller TTL.
    func resolve(_ name: String, on loop: EventLoop) -> EventLoopFuture<DNSAnswer> {
        let ids = (a: UInt16.random(in: .min ... .max), aaaa: UInt16.random(in: .min ... .max))
        let queries: [(DNSRecordType, UInt16, [UInt8])]
        do {
            queries = [(.a, ids.a, try DNSMessage.query(id: ids.a, name: name, type: .a)),
                       (.aaaa, ids.aaaa, try DNSMessage.query(id: ids.aaaa, name: name, type: .aaaa))]
        } catch {
            return loop.makeFailedFuture(error)
        }
        return ask(servers[...], queries: queries, on: loop, lastError: .timedOut)
    }

    private func ask(_ remaining: ArraySlice<HostPort>, queries: [(DNSRecordType, UInt16, [UInt8])],
                     on loop: EventLoop, lastError: DNSError) -> EventLoopFuture<DNSAnswer> {
        guard let server = remaining.first else { return loop.makeFailedFuture(lastError) }
        let next = remaining.dropFirst()
        return exchange(with: server, queries: queries, on: loop).flatMapError { error in
            let dnsError = error as? DNSError ?? .system("\(error)")
            guard dnsError.triesNextServer else { return loop.makeFailedFuture(dnsError) }
            return self.ask(next, queries: queries, on: loop, lastError: dnsError)
        }
    }

    private func exchange(with server: HostPort, queries: [(DNSRecordType, UInt16, [UInt8])],
                          on loop: EventLoop) -> EventLoopFuture<DNSAnswer> {
        let remote: SocketAddress
        do { remote = try SocketAddress(ipAddress: server.host, port: server.port) } catch {
            return loop.makeFailedFuture(DNSError.system("DNS server \(server) is not an IP address"))
        }
        let promise = loop.makePromise(of: DNSAnswer.self)
        let expected = queries.map { (type: $0.0, id: $0.1) }
        let bindHost = remote.protocol == .inet6 ? "::" : "0.0.0.0"
        let timeout = self.timeout
        DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSReplyHandler(expected: expected,
                                                                                  promise: promise))
                }
            }
            .bind(host: bindHost, port: 0)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(DNSError.system("cannot open a DNS socket: \(error)"))
                case .success(let channel):
                    let timer = loop.scheduleTask(in: timeout) { promise.fail(DNSError.timedOut) }
                    promise.futureResult.whenComplete { _ in
                        timer.cancel()
                        channel.close(promise: nil)
                    }
                    for (_, _, bytes) in queries {
                        let data = channel.allocator.buffer(bytes: bytes)
                        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: data), promise: nil)
                    }
                }
            }
        return promise.futureResult
    }
}

/// Collects the replies to one exchange's queries; completes when every query has its reply.
private final class DNSReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let expected: [(type: DNSRecordType, id: UInt16)]
    private var replies: [Result<DNSAnswer, DNSError>?]
    private let promise: EventLoopPromise<DNSAnswer>

    init(expected: [(type: DNSRecordType, id: UInt16)], promise: EventLoopPromise<DNSAnswer>) {
        self.expected = expected
        self.replies = Array(repeating: nil, count: expected.count)
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        for (i, query) in expected.enumerated() where replies[i] == nil {
            if let reply = DNSMessage.answer(bytes, id: query.id, type: query.type) { replies[i] = reply }
        }
        let got = replies.compactMap { $0 }
        guard got.count == expected.count else { return }
        let answers = got.compactMap { try? $0.get() }
        if answers.isEmpty {
            // Every type failed: the most telling error (a server error over "no records of this type").
            let errors = got.compactMap { if case .failure(let e) = $0 { e } else { nil } }
            promise.fail(errors.first { $0 != .noAddresses } ?? .noAddresses)
        } else {
            promise.succeed(DNSAnswer(addresses: answers.flatMap(\.addresses), ttl: answers.map(\.ttl).min()!))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and the like: this server is not answering.
        promise.fail(DNSError.timedOut)
    }
}
