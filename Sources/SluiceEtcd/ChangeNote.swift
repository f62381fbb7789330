import Foundation
import SluiceConfig

/// Who made a change and when, written by Sluice in the same transaction as the objects it changes, at
/// `<prefix>/sluice_change`: the shared history reads it back at that revision (etcd keeps no times or authors).
/// Not one of APISIX's kinds, so APISIX and Sluice's decoding pass it over.
struct ChangeNote: Sendable, Equatable {
    var source: ChangeSource
    /// Seconds since the epoch.
    var time: Int
    var rolledBackTo: Int?

    static func key(prefix: String) -> String { "\(prefix)/sluice_change" }

    var bytes: [UInt8] {
        var value = ConfigValue.map([("source", .string(source.rawValue)), ("time", .int(time))])
        if let rolledBackTo { value["rolled_back_to"] = .int(rolledBackTo) }
        return Array(value.jsonText().utf8)
    }

    /// Now, from `source`.
    static func now(_ source: ChangeSource, rolledBackTo: Int? = nil) -> ChangeNote {
        ChangeNote(source: source, time: Int(Date().timeIntervalSince1970), rolledBackTo: rolledBackTo)
    }

    /// - Returns: nil for a value Sluice did not write (it is ignored).
    init?(_ bytes: [UInt8]) {
        guard let value = try? ConfigValue.parseJSON(bytes),
              let source = value["source"]?.stringValue.flatMap(ChangeSource.init(rawValue:)),
              case .int(let time)? = value["time"]?.kind else { return nil }
        self.init(source: source, time: time, rolledBackTo: value["rolled_back_to"].flatMap {
            if case .int(let n) = $0.kind { n } else { nil }
        })
    }

    init(source: ChangeSource, time: Int, rolledBackTo: Int?) {
        self.source = source
        self.time = time
        self.rolledBackTo = rolledBackTo
    }
}
