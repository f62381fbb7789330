import Synchronization
import Testing

@testable import SluiceEngine

/// A snapshot taken while sessions end counts each session's bytes once: in its live record or in the totals it
/// settled into, never both (the scrape that once read 6000 bytes for five 1000-byte sessions) nor neither.
@Suite struct SnapshotConsistencyTests {
    @Test func bytesOfSessionsEndingDuringSnapshotsAreCountedOnce() async {
        let registry = ConnectionRegistry()
        let counters = CounterTable()
        let listener = counters.counters("listener:tcp 127.0.0.1:1")
        let route = counters.counters("route:1")
        let sessions = 2000
        let perSession: UInt64 = 1000
        let done = Atomic<Bool>(false)

        let ender = Task.detached {
            for _ in 0..<sessions {
                let accounting = SessionAccounting(registry: registry, listener: listener)
                let record = ConnectionRecord(id: registry.makeID(), clientHost: "127.0.0.1", clientPort: 1,
                                              listener: "tcp 127.0.0.1:1", routeID: "1", upstreamKey: "")
                record.bytesIn.wrappingAdd(perSession, ordering: .relaxed)
                accounting.routed(record, route: route) { _ in }
                accounting.finish(bytesFromClient: perSession, bytesToClient: 0, reason: .clientClosed)
            }
            done.store(true, ordering: .releasing)
        }
        var checked = 0
        while !done.load(ordering: .acquiring) || checked == 0 {
            let (live, totals) = registry.listWithTotals(counters)
            let settled = totals["listener:tcp 127.0.0.1:1"]?.bytesIn ?? 0
            let ended = totals["listener:tcp 127.0.0.1:1"]?.endings[.clientClosed] ?? 0
            // Sessions end in id order (ids start at 1): one still listed must not be among those settled.
            #expect(settled == ended * perSession)
            #expect(live.allSatisfy { $0.id > ended }, "a session counted both open and settled")
            #expect(live.count <= 1)
            checked += 1
        }
        await ender.value
        #expect(listener.values.bytesIn == UInt64(sessions) * perSession)
        #expect(registry.count == 0)
    }
}
