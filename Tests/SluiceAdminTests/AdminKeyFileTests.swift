import Testing
@testable import SluiceAdmin

/// Writing the generated admin key into config.yaml while keeping the operator's text.
struct AdminKeyFileTests {
    @Test func keyIsAddedToAnExistingAdminBlock() throws {
        let text = "# mine\nsluice:\n  admin:\n    listen: \"127.0.0.1:9180\"\n  data_file: gateway.yaml\n"
        let out = ConfigTextEdit.insertingAdminKey("abc", root: "sluice", into: text)
        #expect(out == "# mine\nsluice:\n  admin:\n    key: \"abc\"\n    listen: \"127.0.0.1:9180\"\n  data_file: gateway.yaml\n")
    }

    @Test func nullKeyIsReplaced() {
        let text = "apisix:\n    admin:\n        key: null   # generated\n"
        #expect(ConfigTextEdit.insertingAdminKey("abc", root: "apisix", into: text) == "apisix:\n    admin:\n        key: \"abc\"\n")
    }

    @Test func adminBlockIsCreatedUnderTheRoot() {
        let text = "sluice:\n  data_file: gateway.yaml\n"
        #expect(ConfigTextEdit.insertingAdminKey("abc", root: "sluice", into: text)
                == "sluice:\n  admin:\n    key: \"abc\"\n  data_file: gateway.yaml\n")
    }

    @Test func flowStyleIsLeftToTheFallback() {
        #expect(ConfigTextEdit.insertingAdminKey("abc", root: "sluice", into: "sluice:\n  admin: {listen: x}\n") == nil)
        #expect(ConfigTextEdit.insertingAdminKey("abc", root: "sluice", into: "{sluice: {}}\n") == nil)
    }

    @Test func generatedKeysAre32Hex() {
        let k = AdminKeyFile.generateKey()
        #expect(k.count == 32 && k.allSatisfy { $0.isHexDigit })
        #expect(k != AdminKeyFile.generateKey())
    }
}
