import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// Resolves the host names of upstream nodes (`db.internal:3306`) off the event loops and keeps the answers:
/// each name in the configuration is looked up when it appears, again when its answer expires (the DNS TTL, or
/// `dns_resolver_valid`, or every 30 s with the system resolver) and soon after a connect to it fails. When a
/// lookup fails the last good answer is kept; every change of address is logged. Connects use the kept addresses,
/// in turn when there are several, and wait only for a name's very first lookup.
final class NodeNameResolver: Sendable {
    /// How long an answer is used when the source gives no TTL (the system resolver), and the longest a TTL is
    /// believed.
    static let defaultValidity: Double = 30
    static let maximumValidity: Double = 3600
    /// How soon a failed lookup is tried again, and the fewest seconds between two lookups of one name.
    static let retryDelay: Double = 5
    static let minimumInterval: Double = 1

    private struct Entry {
        var record = NameRecord()
        var waiters: [EventLoopPromise<IPAddress>] = []
        var inFlight = false
        var lastLookup = NIODeadline.distantPast
        var timer: Scheduled<Void>?
    }

    private struct Table {
        var settings = DNSSettings()
        var hosts: [String: [IPAddress]] = [:]
        var entries: [String: Entry] = [:]
    }

    private let loop: EventLoop
    private let logger: Logger
    private let table = Mutex(Table())

    init(loop: EventLoop, logger: Logger) {
        self.loop = loop
        self.logger = logger
    }

    /// New resolver settings (config.yaml): every known name is looked up again with them.
    func configure(_ settings: DNSSettings) {
        let hosts = settings.servers.isEmpty ? [:] : HostsFile.read()
        let names = table.withLock { t -> [String] in
            guard t.settings != settings else { return [] }
            t.settings = settings
            t.hosts = hosts
            return Array(t.entries.keys)
        }
        for name in names { lookup(name) }
    }

    /// Follows the configuration's node names: new ones are looked up now, gone ones forgotten.
    func track(_ names: Set<String>) {
        let (added, dropped) = table.withLock { t -> ([String], [Scheduled<Void>]) in
            let added = names.filter { t.entries[$0] == nil }
            for name in added { t.entries[name] = Entry() }
            var dropped: [Scheduled<Void>] = []
            for (name, entry) in t.entries where !names.contains(name) && entry.waiters.isEmpty {
                if let timer = entry.timer { dropped.append(timer) }
                t.entries[name] = nil
            }
            return (Array(added), dropped)
        }
        for timer in dropped { timer.cancel() }
        for name in added { lookup(name) }
    }

    /// The address to connect to for `name`: a kept answer at once, or the first lookup's answer.
    func address(of name: String, port: Int, on eventLoop: EventLoop) -> EventLoopFuture<SocketAddress> {
        enum Now { case address(IPAddress), wait(EventLoopPromise<IPAddress>, lookup: Bool), fail(DNSError) }
        let now = table.withLock { t -> Now in
            var entry = t.entries[name] ?? Entry()
            defer { t.entries[name] = entry }
            if let ip = entry.record.nextAddress() { return .address(ip) }
            if case .failed(let error) = entry.record.state, entry.inFlight || !Self.due(entry) { return .fail(error) }
            let promise = eventLoop.makePromise(of: IPAddress.self)
            entry.waiters.append(promise)
            return .wait(promise, lookup: !entry.inFlight)
        }
        switch now {
        case .address(let ip):
            return eventLoop.makeCompletedFuture { try SocketAddress(ipAddress: "\(ip)", port: port) }
        case .fail(let error):
            return eventLoop.makeFailedFuture(NodeNameError(name: name, error: error))
        case .wait(let promise, let start):
            if start { lookup(name) }
            return promise.futureResult.flatMapThrowing { try SocketAddress(ipAddress: "\($0)", port: port) }
        }
    }

    /// A connect to `name` failed: its address may have moved, so it is looked up again (at most once a second).
    func connectFailed(to name: String) {
        let go = table.withLock { t in t.entries[name].map { !$0.inFlight && Self.due($0) } ?? false }
        if go { lookup(name) }
    }

    /// The kept addresses of every name, for snapshots.
    func addresses() -> [String: [IPAddress]] {
        table.withLock { t in t.entries.compactMapValues { $0.record.addresses } }
    }

    private static func due(_ entry: Entry) -> Bool {
        NIODeadline.now() - entry.lastLookup >= .seconds(saturating: minimumInterval)
    }

    private func lookup(_ name: String) {
        let start = table.withLock { t -> (DNSSettings, [IPAddress]?)? in
            guard var entry = t.entries[name], !entry.inFlight else { return nil }
            entry.inFlight = true
            entry.lastLookup = .now()
            entry.timer?.cancel()
            entry.timer = nil
            t.entries[name] = entry
            return (t.settings, t.hosts[name.lowercased()])
        }
        guard let (settings, hostsAnswer) = start else { return }
        let answer: EventLoopFuture<DNSAnswer>
        if let hostsAnswer {
            answer = loop.makeSucceededFuture(DNSAnswer(addresses: hostsAnswer, ttl: UInt32(Self.defaultValidity)))
        } else if settings.servers.isEmpty {
            answer = SystemResolver.resolve(name, on: loop)
                .map { DNSAnswer(addresses: $0, ttl: UInt32(settings.valid ?? Self.defaultValidity)) }
        } else {
            answer = DNSClient(servers: settings.servers, timeout: .seconds(saturating: settings.timeout))
                .resolve(name, on: loop)
        }
        answer.whenComplete { result in
            self.finish(name, result.mapError { $0 as? DNSError ?? .system("\($0)") }, settings: settings)
        }
    }

    private func finish(_ name: String, _ result: Result<DNSAnswer, DNSError>, settings: DNSSettings) {
        let outcome = table.withLock { t -> (NameRecord.Event, [EventLoopPromise<IPAddress>], Result<IPAddress, DNSError>)? in
            guard var entry = t.entries[name] else { return nil }
            entry.inFlight = false
            let event: NameRecord.Event
            let delay: Double
            switch result {
            case .success(let answer):
                event = entry.record.lookupSucceeded(answer.addresses)
                delay = settings.valid ?? min(max(Double(answer.ttl), Self.minimumInterval), Self.maximumValidity)
            case .failure(let error):
                event = entry.record.lookupFailed(error)
                delay = min(Self.retryDelay, settings.valid ?? Self.retryDelay)
            }
            let waiters = entry.waiters
            entry.waiters = []
            let given: Result<IPAddress, DNSError> = waiters.isEmpty ? .failure(.noAddresses)
                : entry.record.nextAddress().map { .success($0) } ?? .failure(result.failureValue ?? .noAddresses)
            entry.timer = loop.scheduleTask(in: .seconds(saturating: max(delay, Self.minimumInterval))) {
                self.lookup(name)
            }
            t.entries[name] = entry
            return (event, waiters, given)
        }
        guard let (event, waiters, given) = outcome else { return }
        for waiter in waiters {
            switch given {
            case .success(let ip): waiter.succeed(ip)
            case .failure(let error): waiter.fail(NodeNameError(name: name, error: error))
            }
        }
        log(event, name: name)
    }

    private func log(_ event: NameRecord.Event, name: String) {
        let text = { (a: [IPAddress]) in a.map(\.description).joined(separator: ",") }
        switch event {
        case .none: break
        case .resolved(let a):
            logger.info("Node name resolved", metadata: ["name": "\(name)", "addresses": "\(text(a))"])
        case .changed(let from, let to):
            logger.warning("Node address changed", metadata: ["name": "\(name)", "from": "\(text(from))",
                                                              "to": "\(text(to))"])
        case .failedKeepingLastGood(let error, let last):
            logger.warning("Node name lookup failed; keeping the last good answer",
                           metadata: ["name": "\(name)", "error": "\(error)", "addresses": "\(text(last))"])
        case .unresolvable(let error):
            logger.error("Node name lookup failed; connects to it fail until it resolves",
                         metadata: ["name": "\(name)", "error": "\(error)"])
        }
    }
}

/// A connect could not start: the node's name has no address.
struct NodeNameError: Error, CustomStringConvertible {
    let name: String
    let error: DNSError
    var description: String { "cannot resolve \(name): \(error)" }
}

private extension Result {
    var failureValue: Failure? { if case .failure(let e) = self { e } else { nil } }
}
