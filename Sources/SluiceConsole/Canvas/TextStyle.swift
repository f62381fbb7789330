/// What a piece of text is, so each terminal can render it (colour, or bold/reverse under NO_COLOR).
public enum TextStyle: Int, Sendable, CaseIterable {
    case normal
    case title
    case header
    case selected
    case dim
    case good
    case warning
    case bad
    case key
    case field
    case focusedField
}
