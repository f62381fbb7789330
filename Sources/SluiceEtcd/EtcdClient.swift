import Foundation
import NIOCore
import SluiceConfig
import Synchronization

/// A small etcd v3 client over the members' HTTP/JSON gateway (`/v3/kv/range`, `/v3/kv/txn`, `/v3/watch`,
/// `/v3/auth/authenticate`): keys and values travel base64-encoded, revisions as decimal strings.
///
/// Calls block the calling thread (never an event loop's) for at most `timeout` seconds per member. A member that
/// cannot be reached is left for the next one in `hosts`; the member that last answered is tried first. With
/// `user`/`password` a token is fetched before the first call and again when etcd says it expired.
public final class EtcdClient: Sendable {
    /// One key-value as etcd returns it.
    public struct KeyValue: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]
        public var createRevision: Int
        public var modRevision: Int
    }

    /// A range read: the key-values and the store revision it was read at.
    public struct Range: Sendable {
        public var revision: Int
        public var kvs: [KeyValue]
    }

    let settings: EtcdSettings
    let group: EventLoopGroup
    /// For `https://` members.
    private let tls: EtcdTLS?
    private struct Connection {
        var current = 0
        var token: String?
    }

    private let connection = Mutex(Connection())

    /// - Throws: `EtcdTLSError` when a TLS file (`deployment.etcd.tls`, `ssl_trusted_certificate`) does not load.
    public init(settings: EtcdSettings, group: EventLoopGroup) throws(EtcdTLSError) {
        self.settings = settings
        self.group = group
        if let s = settings.tls { tls = try EtcdTLS(s) } else { tls = nil }
    }

    /// Loads the TLS files as a start does (for `sluice validate`).
    /// - Throws: `EtcdTLSError` naming the field and the file.
    public static func check(_ tls: EtcdTLSSettings) throws(EtcdTLSError) { _ = try EtcdTLS(tls) }

    /// The member tried first now.
    public var currentEndpoint: EtcdSettings.Endpoint {
        settings.hosts[connection.withLock { $0.current } % settings.hosts.count]
    }

    /// Every key under `prefix/` (at `revision`, when given).
    /// - Throws: `EtcdError`; `.refused(code: 11)` when `revision` was compacted.
    public func range(prefix: String, revision: Int? = nil) throws(EtcdError) -> Range {
        var body = ConfigValue.map([("key", .string(Self.base64(prefix + "/"))),
                                    ("range_end", .string(Self.base64(Self.prefixEnd(prefix + "/"))))])
        if let revision { body["revision"] = .string(String(revision)) }
        let answer = try call("/v3/kv/range", body)
        return Range(revision: Self.revision(answer), kvs: try (Self.list(answer["kvs"])).map(Self.keyValue))
    }

    /// etcd's revision now and the newest modification revision under `prefix/` (0 when it is empty): one keys-only
    /// range read of a single key, sorted by modification.
    public func newestChange(prefix: String) throws(EtcdError) -> (revision: Int, newest: Int) {
        let answer = try call("/v3/kv/range", .map([
            ("key", .string(Self.base64(prefix + "/"))), ("range_end", .string(Self.base64(Self.prefixEnd(prefix + "/")))),
            ("limit", .string("1")), ("sort_order", .string("DESCEND")), ("sort_target", .string("MOD")),
            ("keys_only", .bool(true)),
        ]))
        return (Self.revision(answer), Self.list(answer["kvs"]).first.map { Self.int($0["mod_revision"]) } ?? 0)
    }

    /// What a transaction checks first.
    public enum Condition: Sendable {
        /// The key's modification revision is this one (0: the key must not exist).
        case modRevision(String, Int)
        /// No key under `prefix/` was written after `revision`.
        case unchangedSince(prefix: String, revision: Int)
    }

    /// What a transaction does when every condition holds.
    public enum Operation: Sendable {
        case put(String, [UInt8])
        case delete(String)
    }

    /// etcd's default `--max-txn-ops`: the most conditions, and the most operations, one transaction may have.
    public static let maxTransactionOps = 128

    /// Does `operations` at once if every condition holds.
    /// - Returns: the revision written at, or nil when a condition failed (nothing written).
    public func transaction(_ conditions: [Condition], _ operations: [Operation]) throws(EtcdError) -> Int? {
        let compares: [ConfigValue] = conditions.map { condition in
            switch condition {
            case .modRevision(let key, 0):
                .map([("target", .string("CREATE")), ("key", .string(Self.base64(key))), ("create_revision", .string("0"))])
            case .modRevision(let key, let expected):
                .map([("target", .string("MOD")), ("key", .string(Self.base64(key))),
                      ("mod_revision", .string(String(expected)))])
            case .unchangedSince(let prefix, let revision):
                .map([("target", .string("MOD")), ("result", .string("LESS")), ("key", .string(Self.base64(prefix + "/"))),
                      ("range_end", .string(Self.base64(Self.prefixEnd(prefix + "/")))),
                      ("mod_revision", .string(String(revision + 1)))])
            }
        }
        let requests: [ConfigValue] = operations.map { operation in
            switch operation {
            case .put(let key, let value):
                .map([("request_put", .map([("key", .string(Self.base64(key))),
                                            ("value", .string(Data(value).base64EncodedString()))]))])
            case .delete(let key):
                .map([("request_delete_range", .map([("key", .string(Self.base64(key)))]))])
            }
        }
        let answer = try call("/v3/kv/txn", .map([("compare", .list(compares)), ("success", .list(requests))]))
        return Self.isTrue(answer["succeeded"]) ? Self.revision(answer) : nil
    }

    /// Starts one watch of `prefix/` from `revision` on the current member; `onMessage` gets each message's
    /// `result` object. The returned future ends (with an error) when the watch does; close the channel to end it.
    public func watch(prefix: String, from revision: Int,
                      onMessage: @escaping @Sendable (ConfigValue) -> Void) throws(EtcdError) -> (Channel, EventLoopFuture<Void>) {
        let body = ConfigValue.map([("create_request", .map([
            ("key", .string(Self.base64(prefix + "/"))), ("range_end", .string(Self.base64(Self.prefixEnd(prefix + "/")))),
            ("start_revision", .string(String(revision))), ("progress_notify", .bool(true)),
        ]))])
        return try withMember { endpoint, token throws(EtcdError) in
            do {
                return try EtcdHTTP.stream(group: group, to: endpoint, tls: tls, path: "/v3/watch",
                                           body: Array(body.jsonText().utf8),
                                           token: token, timeout: settings.timeout) { line in
                    guard let message = try? ConfigValue.parseJSON(line) else { return }
                    onMessage(message["result"] ?? message)
                }.wait()
            } catch let e as EtcdError { throw e } catch {
                throw EtcdError(kind: .unreachable, message: "\(error)")
            }
        }
    }

    /// One unary call, on the current member, then on each other one while they cannot be reached.
    private func call(_ path: String, _ body: ConfigValue) throws(EtcdError) -> ConfigValue {
        try withMember { endpoint, token throws(EtcdError) in
            try unary(endpoint, path, Array(body.jsonText().utf8), token: token)
        }
    }

    /// Runs `body` against the members in turn, starting with the current one, authenticating first when needed.
    private func withMember<T>(_ body: (EtcdSettings.Endpoint, String?) throws(EtcdError) -> T) throws(EtcdError) -> T {
        let start = connection.withLock { $0.current }
        var last = EtcdError(kind: .unreachable, message: "no etcd member configured")
        for step in 0..<settings.hosts.count {
            let index = (start + step) % settings.hosts.count
            let endpoint = settings.hosts[index]
            do {
                var token = try self.token(endpoint, renew: false)
                let result: T
                do { result = try body(endpoint, token) } catch where error.isAuthExpired && settings.user != nil {
                    token = try self.token(endpoint, renew: true)
                    result = try body(endpoint, token)
                }
                connection.withLock { $0.current = index }
                return result
            } catch where error.kind == .unreachable {
                last = error
                connection.withLock { $0.token = nil }
            }
        }
        throw last
    }

    private func token(_ endpoint: EtcdSettings.Endpoint, renew: Bool) throws(EtcdError) -> String? {
        guard let user = settings.user, let password = settings.password else { return nil }
        if !renew, let token = connection.withLock({ $0.token }) { return token }
        let answer = try unary(endpoint, "/v3/auth/authenticate",
                               Array(ConfigValue.map([("name", .string(user)), ("password", .string(password))]).jsonText().utf8),
                               token: nil)
        guard let token = answer["token"]?.stringValue else {
            throw EtcdError(kind: .badAnswer, message: "etcd \(endpoint) gave no token for user \(user)")
        }
        connection.withLock { $0.token = token }
        return token
    }

    private func unary(_ endpoint: EtcdSettings.Endpoint, _ path: String, _ body: [UInt8],
                       token: String?) throws(EtcdError) -> ConfigValue {
        let answer: EtcdHTTP.Answer
        do {
            answer = try EtcdHTTP.post(group: group, to: endpoint, tls: tls, path: path, body: body, token: token,
                                       timeout: settings.timeout).wait()
        } catch let e as EtcdError { throw e } catch {
            throw EtcdError(kind: .unreachable, message: "\(endpoint): \(error)")
        }
        guard let value = try? ConfigValue.parseJSON(answer.body) else {
            throw EtcdError(kind: .badAnswer, message: "\(endpoint) \(path): HTTP \(answer.status), not JSON")
        }
        if answer.status != 200 || value["error"] != nil {
            let message = value["message"]?.stringValue ?? value["error"]?.stringValue ?? "HTTP \(answer.status)"
            let code = value["code"].flatMap { if case .int(let c) = $0.kind { c } else { nil } } ?? -1
            // Unavailable (14) and deadline exceeded (4): the member is there but cannot serve; try another.
            let kind: EtcdError.Kind = [4, 14].contains(code) || answer.status >= 502 ? .unreachable : .refused(code: code)
            throw EtcdError(kind: kind, message: "\(endpoint) \(path): \(message)")
        }
        return value
    }

    // MARK: - JSON gateway encoding

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// The range end that covers every key starting with `prefix`.
    static func prefixEnd(_ prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.removeLast()
        }
        return "\0"
    }

    /// A decimal revision (etcd's int64 as a string; absent means 0).
    static func int(_ value: ConfigValue?) -> Int {
        switch value?.kind {
        case .string(let s)?: Int(s) ?? 0
        case .int(let i)?: i
        default: 0
        }
    }

    static func list(_ value: ConfigValue?) -> [ConfigValue] {
        if case .list(let items)? = value?.kind { return items }
        return []
    }

    static func isTrue(_ value: ConfigValue?) -> Bool {
        if case .bool(true)? = value?.kind { return true }
        return false
    }

    static func revision(_ answer: ConfigValue) -> Int { int(answer["header"]?["revision"]) }

    static func keyValue(_ v: ConfigValue) throws(EtcdError) -> KeyValue {
        guard let key = v["key"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
            throw EtcdError(kind: .badAnswer, message: "etcd key-value without a base64 key")
        }
        let value = v["value"]?.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data()
        return KeyValue(key: String(decoding: key, as: UTF8.self), value: Array(value),
                        createRevision: int(v["create_revision"]), modRevision: int(v["mod_revision"]))
    }
}
