import Testing
@testable import SluiceEngine

/// The TCP session lifecycle as a plain value: every event in every state, the awkward orders included.
struct TCPSessionMachineTests {
    typealias M = TCPSessionMachine

    /// A machine driven to `state` along the ordinary path.
    static func machine(in state: String, attempts: Int = 2, phases: M.RoutedPhases = .init()) -> M {
        var m = M(prereads: state == "prereading" ? [.proxyHeader] : [])
        if state == "prereading" { return m }
        _ = m.accepted()
        if state == "routing" { return m }
        _ = m.routed(maxAttempts: attempts, phases: phases)
        if state == "pluginPreread" || state == "admitting" { return m }
        if state == "connecting" { return m }
        _ = m.connected()
        if state == "proxying" { return m }
        _ = m.inputClosed(.client)
        return m
    }

    @Test func plainListenerRoutesAtOnce() {
        var m = M(prereads: [])
        #expect(m.accepted() == .route)
        #expect(m.state == .routing)
        #expect(m.routed(maxAttempts: 3, phases: .init()) == .connect(attempt: 1))
        #expect(m.connected() == .join(halfCloseUpstream: false))
        #expect(m.state == .proxying)
    }

    @Test func prereadsMustAllFinishBeforeRouting() {
        var m = M(prereads: [.proxyHeader, .tlsHandshake])
        #expect(m.accepted() == .none)
        #expect(m.prereadFinished(.proxyHeader) == .none)
        #expect(m.prereadFinished(.tlsHandshake) == .route)
        #expect(m.prereadFinished(.tlsHandshake) == .none, "a second report changes nothing")
    }

    @Test func pluginPhasesRunInOrder() {
        var m = M(prereads: [])
        _ = m.accepted()
        #expect(m.routed(maxAttempts: 1, phases: .init(preread: true, access: true)) == .runPluginPreread)
        #expect(m.state == .pluginPreread)
        #expect(m.pluginPrereadFinished() == .runAccess)
        #expect(m.state == .admitting)
        #expect(m.admitted() == .connect(attempt: 1))
    }

    @Test func accessOnlySkipsPreread() {
        var m = M(prereads: [])
        _ = m.accepted()
        #expect(m.routed(maxAttempts: 1, phases: .init(access: true)) == .runAccess)
    }

    @Test(arguments: ["prereading", "routing", "pluginPreread", "admitting"])
    func refusalBeforeConnectingClosesTheClientOnly(state: String) {
        var m = Self.machine(in: state, phases: .init(preread: state == "pluginPreread", access: state == "admitting"))
        #expect(m.refused(.ipRestricted) == .refuse(.ipRestricted))
        #expect(m.reason == .ipRestricted)
        #expect(m.status == 403)
        #expect(m.refused(.limitConn) == .none, "a second refusal changes nothing")
        #expect(m.channelClosed(.client) == .finish)
        #expect(m.state == .closed)
        #expect(m.reason == .ipRestricted)
    }

    @Test(arguments: ["connecting", "proxying", "halfClosed"])
    func noRefusalOnceConnecting(state: String) {
        var m = Self.machine(in: state)
        #expect(m.refused(.limitConn) == .none)
    }

    @Test func retriesUntilAttemptsRunOut() {
        var m = Self.machine(in: "connecting", attempts: 3)
        #expect(m.connectFailed(retryAllowed: true) == .connect(attempt: 2))
        #expect(m.connectFailed(retryAllowed: true) == .connect(attempt: 3))
        #expect(m.connectFailed(retryAllowed: true) == .closeBoth)
        #expect(m.reason == .connectFailed)
        #expect(m.status == 502)
    }

    @Test func retryNotAllowedEndsAtOnce() {
        var m = Self.machine(in: "connecting", attempts: 3)
        #expect(m.connectFailed(retryAllowed: false) == .closeBoth)
        #expect(m.reason == .connectFailed)
    }

    @Test func finBeforeTheUpstreamIsConnectedIsPassedOnAfterJoin() {
        var m = Self.machine(in: "connecting")
        #expect(m.inputClosed(.client) == .none)
        #expect(m.connected() == .join(halfCloseUpstream: true))
        #expect(m.state == .halfClosed(.client))
        #expect(m.inputClosed(.upstream) == .closeAfterFlush)
        #expect(m.reason == .clientClosed)
    }

    @Test func killWhileConnectingThenLateConnectIsDiscarded() {
        var m = Self.machine(in: "connecting")
        #expect(m.close(.killed) == .closeBoth)
        #expect(m.channelClosed(.client) == .finish, "no upstream yet: the client's close ends the session")
        #expect(m.connected() == .discardUpstream)
        #expect(m.connectFailed(retryAllowed: true) == .none)
        #expect(m.reason == .killed)
    }

    @Test func connectSuccessAfterTheClientLeft() {
        var m = Self.machine(in: "connecting")
        #expect(m.channelClosed(.client) == .finish)
        #expect(m.reason == .clientClosed)
        #expect(m.connected() == .discardUpstream)
        #expect(m.channelClosed(.client) == .none, "finish is returned once")
    }

    @Test func halfCloseBothWays() {
        var m = Self.machine(in: "proxying")
        #expect(m.inputClosed(.upstream) == .halfClose(.client))
        #expect(m.state == .halfClosed(.upstream))
        #expect(m.inputClosed(.upstream) == .none, "the same side again changes nothing")
        #expect(m.inputClosed(.client) == .closeAfterFlush, "both ended normally: nothing queued is dropped")
        #expect(m.state == .closing)
        #expect(m.reason == .upstreamClosed)
        #expect(m.channelClosed(.upstream) == .none, "the client's channel closes once its writes are out")
        #expect(m.channelClosed(.client) == .finish)
        #expect(m.state == .closed)
    }

    @Test func thePeerThatWentFirstNamesTheReason() {
        var m = Self.machine(in: "proxying")
        m.peerGone(.upstream)
        _ = m.channelClosed(.client)
        _ = m.channelClosed(.upstream)
        #expect(m.reason == .upstreamClosed)
    }

    @Test func aPeerGoneWhileProxyingLetsTheOtherSideDrainFirst() {
        var m = Self.machine(in: "halfClosed")
        #expect(m.channelClosed(.upstream) == .closeAfterFlush, "what the upstream sent still reaches the client")
        #expect(m.close(.killed) == .none)
        #expect(m.channelClosed(.client) == .finish)
        #expect(m.reason == .clientClosed)
    }

    @Test func anAbortClosesAtOnce() {
        var m = Self.machine(in: "proxying")
        #expect(m.close(.killed) == .closeBoth)
        #expect(m.channelClosed(.upstream) == .closeBoth)
        #expect(m.channelClosed(.client) == .finish)
    }

    @Test func idleTimeoutAndKillKeepTheFirstReason() {
        var m = Self.machine(in: "proxying")
        #expect(m.idleTimedOut() == .closeBoth)
        #expect(m.close(.killed) == .none)
        #expect(m.reason == .idleTimeout)
        #expect(m.status == 200)
    }

    @Test func finBeforeRoutingEndsThePreread() {
        var hello = M(prereads: [.clientHello])
        #expect(hello.inputClosed(.client) == .refuse(.badClientHello))
        var proxy = M(prereads: [.proxyHeader])
        #expect(proxy.inputClosed(.client) == .refuse(.badProxyHeader))
        var tls = M(prereads: [.tlsHandshake])
        #expect(tls.inputClosed(.client) == .refuse(.prereadAborted), "a half-open TLS client is released at once")
        var plugin = Self.machine(in: "pluginPreread", phases: .init(preread: true))
        #expect(plugin.inputClosed(.client) == .refuse(.prereadAborted))
    }

    @Test func configChangeWhilePrereadingKeepsTheSessionGoing() {
        // Routing happens once, with the table in force when the preread ends: nothing in the machine depends on
        // the table, so a change while prereading only changes which route `route` finds.
        var m = M(prereads: [.clientHello])
        #expect(m.prereadFinished(.clientHello) == .route)
    }

    @Test func killBeforeRoutingIsARefusal() {
        var m = M(prereads: [.tlsHandshake])
        #expect(m.close(.shutdown) == .refuse(.shutdown))
    }

    @Test func upstreamTLSFailureIsReported() {
        var m = Self.machine(in: "proxying")
        m.upstreamTLSFailed()
        _ = m.channelClosed(.upstream)
        #expect(m.reason == .upstreamTLSFailed)
        #expect(m.status == 502)
    }

    @Test func joinFailureIsAnInternalError() {
        var m = Self.machine(in: "connecting")
        _ = m.connected()
        #expect(m.joinFailed() == .closeBoth)
        #expect(m.reason == .error)
        #expect(m.status == 500)
    }

    @Test func eventsAfterTheEndChangeNothing() {
        var m = Self.machine(in: "proxying")
        _ = m.close(.killed)
        _ = m.channelClosed(.client)
        #expect(m.channelClosed(.upstream) == .finish)
        for action in [m.inputClosed(.client), m.idleTimedOut(), m.close(.shutdown), m.refused(.noRoute),
                       m.accepted(), m.admitted(), m.channelClosed(.client)] {
            #expect(action == .none)
        }
        #expect(m.connected() == .discardUpstream)
        #expect(m.reason == .killed)
    }
}

/// The UDP session lifecycle as a plain value.
struct UDPSessionMachineTests {
    @Test func ordinaryLife() {
        var m = UDPSessionMachine(expectedReplies: nil)
        #expect(m.begin(access: false) == .openSocket)
        #expect(m.socketReady() == .sendWaiting)
        #expect(m.replyRelayed() == .none)
        #expect(m.close(.idleTimeout) == .finish)
        #expect(m.close(.killed) == .none)
        #expect(m.reason == .idleTimeout)
    }

    @Test func accessRefusal() {
        var m = UDPSessionMachine(expectedReplies: nil)
        #expect(m.begin(access: true) == .runAccess)
        #expect(m.close(.ipRestricted) == .finish)
        #expect(m.admitted() == .none)
        #expect(m.status == 403)
    }

    @Test func expectedRepliesEndTheSession() {
        var m = UDPSessionMachine(expectedReplies: 2)
        _ = m.begin(access: false)
        _ = m.socketReady()
        #expect(m.replyRelayed() == .none)
        #expect(m.replyRelayed() == .finish)
        #expect(m.reason == .responsesReceived)
    }

    @Test func socketAfterTheEndIsDiscarded() {
        var m = UDPSessionMachine(expectedReplies: nil)
        _ = m.begin(access: false)
        #expect(m.close(.shutdown) == .finish)
        #expect(m.socketReady() == .discardSocket)
    }

    @Test func failedSocketIs502() {
        var m = UDPSessionMachine(expectedReplies: nil)
        _ = m.begin(access: false)
        #expect(m.socketFailed() == .finish)
        #expect(m.status == 502)
    }
}
