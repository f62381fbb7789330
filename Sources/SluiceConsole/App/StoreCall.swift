import Foundation
import Synchronization

/// A Store call the console makes off its main thread. With etcd behind the store, a write waits on the network —
/// up to the etcd timeout for each member, 30 s by default — and the console must keep drawing meanwhile (live
/// connections, the etcd state in the header, how long it has waited) and keep answering SIGTERM, instead of
/// freezing the terminal. A local data file answers in milliseconds: the console waits a moment for the answer
/// (`ConsoleApp`'s grace), so such a save looks as it always did.
///
/// States: running → finished (the work's result, kept until the console collects it) → collected.
public final class StoreCall {
    /// What the console is waiting for, in the message line: `saving stream route r1`.
    let label: String
    let startedAt: Date
    private let finished: () -> ScreenAction?
    private let wait: (Double) -> Void

    private init(label: String, finished: @escaping () -> ScreenAction?, wait: @escaping (Double) -> Void) {
        self.label = label
        self.startedAt = Date()
        self.finished = finished
        self.wait = wait
    }

    /// Starts `work` on a thread of its own; `then` turns its result into what the console does next, on the main
    /// thread, once the console collects it.
    static func start<Value: Sendable>(_ label: String, _ work: @escaping @Sendable () throws -> Value,
                                       then: @escaping (Result<Value, any Error>) -> ScreenAction) -> StoreCall {
        let outcome = Outcome<Value>()
        Thread.detachNewThread { outcome.set(Result { try work() }) }
        return StoreCall(label: label, finished: { outcome.take().map(then) }, wait: { outcome.wait(seconds: $0) })
    }

    /// What to do now that the work is over; nil while it runs. Non-nil once only.
    func collect() -> ScreenAction? { finished() }

    /// Blocks for at most `seconds` or until the work is over.
    func waitForResult(seconds: Double) { wait(seconds) }
}

/// The result of a `StoreCall`'s work, handed from its thread to the main thread.
private final class Outcome<Value: Sendable>: Sendable {
    private enum State { case running, finished(Result<Value, any Error>), collected }
    private let state = Mutex(State.running)
    private let done = DispatchSemaphore(value: 0)

    func set(_ result: Result<Value, any Error>) {
        state.withLock { $0 = .finished(result) }
        done.signal()
    }

    func take() -> Result<Value, any Error>? {
        state.withLock { state in
            guard case .finished(let result) = state else { return nil }
            state = .collected
            return result
        }
    }

    /// Blocks for at most `seconds` (infinity: until the work is over).
    func wait(seconds: Double) {
        if seconds.isFinite {
            guard done.wait(timeout: .now() + max(0, seconds)) == .success else { return }
        } else {
            done.wait()
        }
        done.signal()  // the work is over: a later wait returns at once too
    }
}

extension ScreenAction {
    /// Runs `work` (a Store call) off the main thread, then `then` with its result; the console shows `label` and
    /// how long it has waited while the call takes longer than a moment, and holds keys back until it is over.
    static func storeCall<Value: Sendable>(_ label: String, _ work: @escaping @Sendable () throws -> Value,
                                           then: @escaping (Result<Value, any Error>) -> ScreenAction) -> ScreenAction {
        .store(StoreCall.start(label, work, then: then))
    }

    /// The flash for a change that failed: `not deleted: <the error's first line>` (a Store error's first line
    /// names the first field and why; the rest would not fit the message line).
    static func notDone(_ what: String, _ error: any Error) -> ScreenAction {
        .flash("\(what): \(String(describing: error).split(separator: "\n").first ?? "")", isError: true)
    }
}
