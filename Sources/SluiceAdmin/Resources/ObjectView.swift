import Foundation
import SluiceConfig

/// How stored objects look through the Admin API: keys, list items, and secrets left out.
enum ObjectView {
    /// `/apisix/<kind>/<id>`.
    static func key(_ kind: ResourceKind, _ id: String) -> String { "/apisix/\(kind.rawValue)/\(id)" }

    /// The value as the API shows it: an ssl's private key(s) are never returned.
    static func visible(_ kind: ResourceKind, _ value: ConfigValue) -> ConfigValue {
        guard kind == .ssls else { return value }
        var out = value
        out["key"] = nil
        out["keys"] = nil
        return out
    }

    /// `{"key","value","createdIndex","modifiedIndex"}`, one object as `GET /x/{id}` and list items show it.
    static func item(_ kind: ResourceKind, _ id: String, _ value: ConfigValue, _ revision: ObjectRevision?) -> ConfigValue {
        .map([
            ("key", .string(key(kind, id))),
            ("value", visible(kind, value)),
            ("createdIndex", .int(revision?.created ?? 0)),
            ("modifiedIndex", .int(revision?.modified ?? 0)),
        ])
    }

    /// The `ETag` of an object: its modifiedIndex, quoted.
    static func etag(_ revision: ObjectRevision?) -> String { "\"\(revision?.modified ?? 0)\"" }

    /// Whether an `If-Match` value names `revision` (`*` matches any existing object; quotes and `W/` ignored).
    static func ifMatch(_ header: String, matches revision: ObjectRevision?) -> Bool {
        guard let revision else { return false }
        for tag in header.split(separator: ",") {
            var t = tag.trimmingCharacters(in: .whitespaces)
            if t == "*" { return true }
            if t.hasPrefix("W/") { t.removeFirst(2) }
            if t.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == String(revision.modified) { return true }
        }
        return false
    }
}
