/// An optional value kept out of line, behind one reference: a struct holding it copies a pointer rather than
/// the value. `StreamRoute.upstream` is one: inline, an `Upstream` made every route ~600 bytes, copied whole
/// wherever ten thousand routes are walked or an array of them is copied for a change.
@propertyWrapper
public struct OutOfLine<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value's one copy (immutable: a write makes a new one).
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    public init(wrappedValue: Value?) { box = wrappedValue.map(Box.init) }

    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }

    /// The wrapper itself (`route.$upstream`), to ask `isNone` without a copy of the value.
    public var projectedValue: OutOfLine { self }

    /// True when there is no value.
    public var isNone: Bool { box == nil }

    public static func == (lhs: OutOfLine, rhs: OutOfLine) -> Bool {
        lhs.box === rhs.box || lhs.box?.value == rhs.box?.value
    }
}
