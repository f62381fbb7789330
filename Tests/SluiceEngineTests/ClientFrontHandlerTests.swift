import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// The client's front handler and its session on NIO's `EmbeddedChannel`: bytes held (never passed on before the
/// session is joined), reads paused past the preread buffer, the preread timeout, a FIN during the preread.
struct ClientFrontHandlerTests {
    /// Counts the `read()` calls that get past the front handler.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct Rig {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let context: EngineContext
        let listener: ListenerRuntime

        init(_ spec: ListenerSpec) throws {
            context = EngineContext(logger: Logger(label: "test"), group: channel.embeddedEventLoop)
            listener = ListenerRuntime(spec: spec, counters: context.counters)
            let session = TCPSession(context: context, listener: listener, client: channel)
            let front = ClientFrontHandler(session: session)
            session.front = front
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(front)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        }

        /// Runs what the close scheduled (close-future callbacks).
        var refusals: [String: UInt64] {
            channel.embeddedEventLoop.run()
            return listener.counters.values.refusals
        }
    }

    static func proxyListener() -> ListenerSpec {
        var spec = ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 9100)
        spec.proxyProtocol = true
        return spec
    }

    @Test func heldBytesAreNotPassedOnBeforeJoin() throws {
        let rig = try Rig(Self.proxyListener())
        try rig.channel.writeInbound(rig.channel.allocator.buffer(string: "early bytes"))
        #expect(try rig.channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(rig.channel.isActive)
        _ = try? rig.channel.finish()
    }

    @Test func readsPauseBeyondThePrereadBuffer() throws {
        let rig = try Rig(Self.proxyListener())
        rig.channel.read()
        #expect(rig.counter.reads == 1)
        try rig.channel.writeInbound(rig.channel.allocator.buffer(repeating: 0x41, count: EngineTuning.maxHeldBytes))
        rig.channel.read()
        #expect(rig.counter.reads == 1, "no read past a full preread buffer")
        _ = try? rig.channel.finish()
    }

    @Test func prereadTimeoutClosesAndCountsTheRefusal() throws {
        let rig = try Rig(Self.proxyListener())
        rig.channel.embeddedEventLoop.advanceTime(by: EngineTuning.prereadTimeout)
        #expect(!rig.channel.isActive)
        #expect(rig.refusals == ["preread_timeout": 1])
        #expect(rig.listener.counters.values.active == 0)
    }

    @Test func finDuringThePrereadReleasesAtOnce() throws {
        var spec = ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 9100)
        spec.tlsPassthrough = true
        let rig = try Rig(spec)
        try rig.channel.writeInbound(rig.channel.allocator.buffer(bytes: [0x16, 0x03, 0x01]))
        rig.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!rig.channel.isActive)
        #expect(rig.refusals == ["bad_client_hello": 1])
    }

    @Test func plainListenerWithoutRouteIsNoRoute() throws {
        let rig = try Rig(ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 9100))
        #expect(!rig.channel.isActive, "no routing table: closed at once")
        rig.channel.embeddedEventLoop.run()
        #expect(rig.listener.counters.values.noRoute == 1)
    }

    @Test func saturatingSeconds() {
        #expect(TimeAmount.seconds(saturating: 1e300) == .nanoseconds(Int64.max))
        #expect(TimeAmount.seconds(saturating: .infinity) == .nanoseconds(Int64.max))
        #expect(TimeAmount.seconds(saturating: -1) == .zero)
        #expect(TimeAmount.seconds(saturating: .nan) == .zero)
        #expect(TimeAmount.seconds(saturating: 1.5) == .milliseconds(1500))
        #expect(NIODeadline.now().adding(saturating: .nanoseconds(Int64.max)) == .distantFuture)
    }
}
