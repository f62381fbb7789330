import SluiceConfig
import Testing
@testable import SluiceEngine

/// Active checks with 2 failures / 3 timeouts / 2 successes, passive 2 / 7 / 5 (APISIX defaults), max_fails 2,
/// fail_timeout 3 s.
private func machine(active: Bool = true, passive: Bool = true, maxFails: Int = 2) -> NodeHealthMachine {
    NodeHealthMachine(settings: HealthSettings(active: active ? ActiveCheck() : nil,
                                               passive: passive ? PassiveCheck() : nil,
                                               maxFails: maxFails, failTimeout: 3))
}

/// `m` after `events`, all at time `now`.
private func after(_ events: [HealthEvent], _ start: NodeHealthMachine = machine(), now: Double = 100)
    -> NodeHealthMachine {
    var m = start
    for e in events { _ = m.handle(e, now: now) }
    return m
}

private let suspendedNode = after([.failed(.passive, .refused)], machine(passive: false, maxFails: 1))
private let unhealthyNode = after([.failed(.active, .refused), .failed(.active, .refused)])

struct NodeHealthMachineHealthyTests {
    @Test func startsHealthyAndUsable() {
        let m = machine()
        #expect(m.state == .healthy)
        #expect(m.isUsable)
        #expect(!m.successMatters)
    }

    @Test func activeSuccessKeepsHealthy() {
        var m = machine()
        #expect(m.handle(.succeeded(.active), now: 1) == nil)
        #expect(m.state == .healthy)
    }

    @Test func passiveSuccessResetsNginxFailures() {
        var m = after([.failed(.passive, .refused)])
        #expect(m.windowFailures == 1)
        #expect(m.handle(.succeeded(.passive), now: 100) == nil)
        #expect(m.windowFailures == 0)
        #expect(m.tcpFailures == 0)
    }

    @Test func activeFailuresReachUnhealthy() {
        var m = machine()
        #expect(m.handle(.failed(.active, .refused), now: 1) == nil)
        let t = m.handle(.failed(.active, .refused), now: 1)
        #expect(t == .init(from: .healthy, to: .unhealthy, cause: .refused))
        #expect(!m.isUsable)
    }

    @Test func activeTimeoutsCountSeparately() {
        var m = machine()
        _ = m.handle(.failed(.active, .timedOut), now: 1)
        _ = m.handle(.failed(.active, .timedOut), now: 1)
        #expect(m.state == .healthy, "2 timeouts of 3")
        #expect(m.handle(.failed(.active, .timedOut), now: 1)?.to == .unhealthy)
    }

    @Test func aSuccessBetweenFailuresStartsTheCountAgain() {
        let m = after([.failed(.active, .refused), .succeeded(.active), .failed(.active, .refused)])
        #expect(m.state == .healthy)
    }

    @Test func passiveFailuresSuspendAtMaxFails() {
        var m = machine(passive: false)
        #expect(m.handle(.failed(.passive, .refused), now: 10) == nil)
        let t = m.handle(.failed(.passive, .reset), now: 11)
        #expect(t == .init(from: .healthy, to: .suspended(until: 14), cause: .reset))
    }

    @Test func passiveFailuresOutsideFailTimeoutDoNotAddUp() {
        var m = machine(passive: false)
        _ = m.handle(.failed(.passive, .refused), now: 10)
        #expect(m.handle(.failed(.passive, .refused), now: 13.5) == nil, "the first failure is older than 3 s")
        #expect(m.handle(.failed(.passive, .refused), now: 14)?.to == .suspended(until: 17))
    }

    @Test func passiveFailuresUnderChecksPassiveMakeUnhealthy() {
        var m = machine(maxFails: 0)
        _ = m.handle(.failed(.passive, .refused), now: 1)
        #expect(m.handle(.failed(.passive, .refused), now: 1)?.to == .unhealthy)
    }

    @Test func maxFailsZeroAndNoPassiveChecksNeverSuspend() {
        let m = after(Array(repeating: .failed(.passive, .refused), count: 10), machine(passive: false, maxFails: 0))
        #expect(m.state == .healthy)
    }

    @Test func tickDoesNothing() {
        var m = machine()
        #expect(m.handle(.tick, now: 1000) == nil)
        #expect(m.state == .healthy)
    }
}

struct NodeHealthMachineSuspendedTests {
    @Test func notUsable() {
        #expect(suspendedNode.state == .suspended(until: 103))
        #expect(!suspendedNode.isUsable)
        #expect(suspendedNode.successMatters)
    }

    @Test func tickBeforeTheEndKeepsIt() {
        var m = suspendedNode
        #expect(m.handle(.tick, now: 102.9) == nil)
    }

    @Test func tickAtTheEndMakesHealthyAndOneMoreFailureSuspendsAgain() {
        var m = suspendedNode
        #expect(m.handle(.tick, now: 103) == .init(from: .suspended(until: 103), to: .healthy, cause: .failTimeoutOver))
        #expect(m.handle(.failed(.passive, .refused), now: 104)?.to == .suspended(until: 107))
    }

    @Test func tickAtTheEndWithMaxFailsTwoNeedsOneFailure() {
        var m = after([.failed(.passive, .refused), .failed(.passive, .refused)], machine(passive: false))
        _ = m.handle(.tick, now: 103)
        #expect(m.handle(.failed(.passive, .refused), now: 104)?.to == .suspended(until: 107))
    }

    @Test func passiveSuccessRecovers() {
        var m = suspendedNode
        #expect(m.handle(.succeeded(.passive), now: 101)?.to == .healthy)
        #expect(m.windowFailures == 0)
    }

    @Test func activeSuccessWaitsForTheEnd() {
        var m = suspendedNode
        #expect(m.handle(.succeeded(.active), now: 101) == nil)
    }

    @Test func passiveFailureExtends() {
        var m = suspendedNode
        #expect(m.handle(.failed(.passive, .refused), now: 102) == nil)
        #expect(m.state == .suspended(until: 105))
    }

    @Test func activeFailuresMakeUnhealthy() {
        var m = suspendedNode
        _ = m.handle(.failed(.active, .timedOut), now: 101)
        _ = m.handle(.failed(.active, .timedOut), now: 101)
        #expect(m.handle(.failed(.active, .timedOut), now: 101)?.to == .unhealthy)
    }
}

struct NodeHealthMachineUnhealthyTests {
    @Test func notUsable() {
        #expect(unhealthyNode.state == .unhealthy)
        #expect(!unhealthyNode.isUsable)
    }

    @Test func activeSuccessesRecover() {
        var m = unhealthyNode
        #expect(m.handle(.succeeded(.active), now: 1) == nil)
        #expect(m.handle(.succeeded(.active), now: 1) == .init(from: .unhealthy, to: .healthy, cause: .checksPassed))
    }

    @Test func passiveSuccessesRecoverAfterFive() {
        var m = unhealthyNode
        for _ in 0..<4 { #expect(m.handle(.succeeded(.passive), now: 1) == nil) }
        #expect(m.handle(.succeeded(.passive), now: 1)?.cause == .connectsSucceeded)
    }

    @Test func passiveSuccessesDoNotRecoverWithoutChecksPassive() {
        let m = after(Array(repeating: .succeeded(.passive), count: 10),
                      after([.failed(.active, .refused), .failed(.active, .refused)], machine(passive: false)))
        #expect(m.state == .unhealthy)
    }

    @Test func aFailureRestartsTheSuccessCount() {
        let m = after([.succeeded(.active), .failed(.active, .refused), .succeeded(.active)], unhealthyNode)
        #expect(m.state == .unhealthy)
    }

    @Test(arguments: [HealthEvent.failed(.active, .refused), .failed(.active, .timedOut),
                      .failed(.passive, .refused), .failed(.passive, .expectMismatch), .tick])
    func failuresAndTicksKeepIt(event: HealthEvent) {
        var m = unhealthyNode
        #expect(m.handle(event, now: 1000) == nil)
        #expect(m.state == .unhealthy)
    }
}
