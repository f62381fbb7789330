import Foundation

/// One object a revision created, changed or removed.
public struct ObjectChange: Sendable, Equatable {
    /// What happened to the object.
    public enum Action: String, Sendable {
        case create, update, delete
    }

    public var kind: ResourceKind
    public var id: String
    public var action: Action

    public init(kind: ResourceKind, id: String, action: Action) {
        self.kind = kind
        self.id = id
        self.action = action
    }

    /// The objects that differ between two configurations, in kind order, then in the order they are listed.
    public static func between(_ old: GatewayConfig, _ new: GatewayConfig) -> [ObjectChange] {
        var out: [ObjectChange] = []
        for kind in ResourceKind.allCases {
            let before = Dictionary(old.documents(kind).map { ($0.id, $0.raw) }, uniquingKeysWith: { a, _ in a })
            let after = Set(new.documents(kind).map(\.id))
            for doc in new.documents(kind) {
                if let raw = before[doc.id] {
                    if raw != doc.raw { out.append(ObjectChange(kind: kind, id: doc.id, action: .update)) }
                } else {
                    out.append(ObjectChange(kind: kind, id: doc.id, action: .create))
                }
            }
            for doc in old.documents(kind) where !after.contains(doc.id) {
                out.append(ObjectChange(kind: kind, id: doc.id, action: .delete))
            }
        }
        return out
    }
}

/// What the history keeps about one applied change (the document itself stays on disk, see `RevisionLog`).
public struct RevisionEntry: Sendable, Equatable {
    /// The store revision this change produced (the Admin API's modifiedIndex space).
    public var number: Int
    /// When it was made; nil when nobody recorded it (a write straight to etcd whose values carry no update_time).
    public var time: Date?
    public var source: ChangeSource
    public var changes: [ObjectChange]
    /// The revision this one rolled back to, for `source == .rollback`.
    public var rolledBackTo: Int?

    public init(number: Int, time: Date?, source: ChangeSource, changes: [ObjectChange], rolledBackTo: Int? = nil) {
        self.number = number
        self.time = time
        self.source = source
        self.changes = changes
        self.rolledBackTo = rolledBackTo
    }

    /// `time` as RFC 3339 in UTC, whole seconds (`2026-12-01T09:00:00Z`).
    public var timeText: String? { time.map(Self.rfc3339) }

    /// A short line of what changed: `stream_routes/1 update, upstreams/u create` (at most `limit` objects named).
    public func summary(limit: Int = 3) -> String {
        if changes.isEmpty { return "no object changed" }
        let named = changes.prefix(limit).map { "\($0.kind.rawValue)/\($0.id) \($0.action.rawValue)" }
        let more = changes.count > limit ? " (+\(changes.count - limit) more)" : ""
        return named.joined(separator: ", ") + more
    }

    /// The entry as the history file's header and the Admin API show it:
    /// `{"revision":12,"time":"…","source":"admin_api","changes":[{"resource":"stream_routes","id":"1","action":"create"}]}`
    /// (and `"rolled_back_to":10` for a rollback).
    public var value: ConfigValue {
        var value = ConfigValue.map([
            ("revision", .int(number)), ("time", timeText.map { .string($0) } ?? .null), ("source", .string(source.rawValue)),
            ("changes", .list(changes.map { change in
                .map([("resource", .string(change.kind.rawValue)), ("id", .string(change.id)),
                      ("action", .string(change.action.rawValue))])
            })),
        ])
        if let rolledBackTo { value["rolled_back_to"] = .int(rolledBackTo) }
        return value
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    static func parseTime(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current).parse(text)
    }
}
