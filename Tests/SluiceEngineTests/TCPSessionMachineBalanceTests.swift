import Testing
@testable import SluiceEngine

/// The balance phase's upstream (traffic-split) bounds the connects, not the route's.
extension TCPSessionMachineTests {
    @Test func upstreamChosenByABalancePluginBoundsTheAttempts() {
        var m = Self.machine(in: "connecting", attempts: 1)
        m.upstreamChosen(maxAttempts: 2)
        #expect(m.connectFailed(retryAllowed: true) == .connect(attempt: 2))
        m.upstreamChosen(maxAttempts: 5)
        #expect(m.maxAttempts == 2, "only before the first attempt failed")
        #expect(m.connectFailed(retryAllowed: true) == .closeBoth)

        var refused = Self.machine(in: "connecting", attempts: 3)
        refused.upstreamChosen(maxAttempts: 1)
        #expect(refused.connectFailed(retryAllowed: true) == .closeBoth)
    }
}
