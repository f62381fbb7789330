import Testing
@testable import SluiceConfig

/// `jsonText` writes strings that hold no raw control character (C0, DEL, C1), so the JSON can go into a syslog
/// line or onto a terminal as is, and parses back to the same value.
struct JSONTextTests {
    @Test func controlsDelAndC1AreEscapedAndParseBack() throws {
        let text = "a\n\r\t\u{1B}[2J\u{07}\"q\"\\\u{7F}\u{80}\u{9B}31m\u{A0}é例"
        let json = ConfigValue.map([("id", .string(text))]).jsonText()
        #expect(json == #"{"id":"a\n\r\t\u001b[2J\u0007\"q\"\\\u007f\u0080\u009b31m"# + "\u{A0}é例\"}")
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(try ConfigValue.parseJSON(Array(json.utf8))["id"]?.stringValue == text)
    }
}
