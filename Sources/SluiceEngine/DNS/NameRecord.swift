import SluiceConfig

/// One node name's resolution, as a state machine: what connects get, and what each lookup's outcome changes
/// and says. A value; `NodeNameResolver` keeps one per name and performs what the transitions return.
struct NameRecord: Sendable {
    enum State: Sendable, Equatable {
        /// Never answered yet; the first lookup is in flight.
        case pending
        /// Never answered: the lookups so far failed.
        case failed(DNSError)
        /// The last lookup answered these addresses.
        case fresh([IPAddress])
        /// The last lookup failed; the last good answer is kept (and used).
        case stale([IPAddress], DNSError)
    }

    /// What a lookup's outcome asks to be logged.
    enum Event: Sendable, Equatable {
        case none
        case resolved([IPAddress])
        case changed(from: [IPAddress], to: [IPAddress])
        case failedKeepingLastGood(DNSError, [IPAddress])
        case unresolvable(DNSError)
    }

    private(set) var state = State.pending
    /// The addresses connects take in turn: those of the answer's first family (IPv4 when there is one), so a name
    /// like `localhost` (127.0.0.1 and ::1) is not half refused by a server listening on one family only.
    private var inTurn: [IPAddress] = []
    private var rotation = 0

    /// The addresses connects use, nil while there are none.
    var addresses: [IPAddress]? {
        switch state {
        case .fresh(let a), .stale(let a, _): a
        case .pending, .failed: nil
        }
    }

    /// The next address in turn (several answers share the connects), nil while there are none.
    mutating func nextAddress() -> IPAddress? {
        guard !inTurn.isEmpty else { return nil }
        rotation = (rotation &+ 1) % inTurn.count
        return inTurn[rotation]
    }

    mutating func lookupSucceeded(_ answer: [IPAddress]) -> Event {
        let v4 = answer.filter { if case .v4 = $0 { true } else { false } }
        inTurn = v4.isEmpty ? answer : v4
        defer { state = .fresh(answer) }
        switch state {
        case .pending, .failed: return .resolved(answer)
        case .fresh(let old), .stale(let old, _):
            return Set(old) == Set(answer) ? .none : .changed(from: old, to: answer)
        }
    }

    mutating func lookupFailed(_ error: DNSError) -> Event {
        switch state {
        case .pending:
            state = .failed(error)
            return .unresolvable(error)
        case .failed(let old):
            state = .failed(error)
            return old == error ? .none : .unresolvable(error)
        case .fresh(let last):
            state = .stale(last, error)
            return .failedKeepingLastGood(error, last)
        case .stale(let last, let old):
            state = .stale(last, error)
            return old == error ? .none : .failedKeepingLastGood(error, last)
        }
    }
}
