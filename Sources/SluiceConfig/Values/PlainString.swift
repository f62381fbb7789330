/// Strings that YAML reads back as the same string without quotes, told without running a parser.
///
/// Only a cautious subset: ASCII letters, digits and `. _ / -`, starting with a letter or a digit. In it, no
/// character is a YAML indicator, so the parser reads one plain scalar; what remains is the resolver (Yams's
/// default rules: bool, int, float, merge, null, timestamp, value), whose patterns all match whole strings:
/// - none of them allows a `/`, so a string with one is a string;
/// - without one, a string starting with a letter could only be a bool or null word (`yes`, `Off`, `null`…;
///   numbers, timestamps, `.inf`/`.nan`, `<<` and `=` start otherwise) — those, in any case, are left to the parser.
/// Anything else answers false: the caller asks the parser.
enum PlainString {
    /// True when `s` certainly reads back as this string, unquoted.
    static func isCertain(_ s: String) -> Bool {
        var utf8 = s.utf8.makeIterator()
        guard let first = utf8.next(), isLetter(first) || isDigit(first) else { return false }
        var slash = false
        while let c = utf8.next() {
            if c == UInt8(ascii: "/") {
                slash = true
            } else if !(isLetter(c) || isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                        || c == UInt8(ascii: "-")) {
                return false
            }
        }
        if slash { return true }
        return isLetter(first) && !resolverWords.contains(s.lowercased())
    }

    /// Words a resolver might read as a bool or null, whatever their case (YAML 1.1's, a superset of Yams's).
    private static let resolverWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
