import Foundation
import Testing
@testable import SluiceImport

struct NginxParserTests {
    private func parse(_ text: String) throws(NginxSyntaxError) -> [NginxDirective] {
        var p = NginxParser()
        return try p.parse(text: text, file: "t.conf")
    }

    @Test func directivesBlocksCommentsAndLines() throws {
        let tree = try parse("""
            # a comment
            stream {   # another
                upstream db { server 10.0.0.1:3306; }
                server {
                    listen 3306;
                    proxy_pass db;  # trailing
                }
            }
            """)
        #expect(tree.count == 1)
        let stream = try #require(tree.first)
        #expect(stream.name == "stream" && stream.location.line == 2)
        let blocks = try #require(stream.block)
        #expect(blocks.map(\.name) == ["upstream", "server"])
        #expect(blocks[0].args == ["db"] && blocks[0].block?.first?.text == "server 10.0.0.1:3306")
        #expect(blocks[1].block?.map(\.location.line) == [5, 6])
        #expect(blocks[1].block?[1].args == ["db"])
    }

    @Test(arguments: [
        ("log_format f \"a b;c\";", ["f", "a b;c"]),
        ("log_format f 'single \"q\"';", ["f", "single \"q\""]),
        ("log_format f \"esc \\\" \\\\ \\t\";", ["f", "esc \" \\ \t"]),
        ("log_format f $remote_addr${status}x;", ["f", "$remote_addr${status}x"]),
        ("log_format f a#b;", ["f", "a#b"]),
        ("log_format f a\\;b;", ["f", "a\\;b"]),
        ("map ~^www\\d+ x;", ["~^www\\d+", "x"]),
        ("log_format f \"multi\nline\";", ["f", "multi\nline"]),
    ])
    func quotingAndEscapes(text: String, args: [String]) throws {
        #expect(try parse(text).first?.args == args)
    }

    @Test(arguments: [
        ("server {\n listen 1;\n", "t.conf:1: unexpected end of file, expecting \"}\" to close \"server\""),
        ("listen 1;\n}\n", "t.conf:2: unexpected \"}\""),
        ("a\n\"open;\n", "t.conf:2: unterminated quoted string"),
        ("listen 1 }", "t.conf:1: unexpected \"}\", expecting \";\" after \"listen\""),
        ("listen\n1", "t.conf:1: unexpected end of file, expecting \";\" or \"}\" after \"listen\""),
        ("{ }", "t.conf:1: unexpected \"{\""),
        ("\n;", "t.conf:2: unexpected \";\""),
        ("a \"x\"y;", "t.conf:1: unexpected \"y\" after a quoted string"),
    ])
    func syntaxErrorsNameFileAndLine(text: String, message: String) {
        #expect(throws: NginxSyntaxError.self) { try parse(text) }
        do { _ = try parse(text) } catch { #expect(error.description == message) }
    }

    @Test func includeGlobsAreRelativeToTheIncludingFileAndSorted() throws {
        let f = ImportFixture([
            "main/nginx.conf": "stream {\n    include streams/*.conf;\n}\n",
            "main/streams/b.conf": "upstream b { server 10.0.0.2:1; }\n",
            "main/streams/a.conf": "upstream a { server 10.0.0.1:1; }\ninclude ../more/c.inc;\n",
            "main/more/c.inc": "upstream c { server 10.0.0.3:1; }\n",
            "main/streams/ignored.txt": "not nginx {",
        ])
        defer { f.remove() }
        var p = NginxParser()
        let tree = try p.parse(file: f.path("main/nginx.conf"))
        let names = tree.first?.block?.map { $0.args.first ?? "" }
        #expect(names == ["a", "c", "b"])
        #expect(tree.first?.block?[1].location.file.hasSuffix("main/streams/../more/c.inc") == true)
    }

    @Test func aGlobMatchingNothingIsFineAMissingFileIsAnError() throws {
        let f = ImportFixture(["n.conf": "include none/*.conf;\nupstream a { server 1.2.3.4:5; }\ninclude missing.conf;\n"])
        defer { f.remove() }
        var p = NginxParser()
        do {
            _ = try p.parse(file: f.path("n.conf"))
            Issue.record("expected an error")
        } catch {
            #expect(error.location == SourceLocation(file: f.path("n.conf"), line: 3))
            #expect(error.message.hasPrefix("cannot read ") && error.message.hasSuffix("missing.conf: no such file"))
        }
    }

    @Test func aFileIncludingItselfIsAnErrorNotAHang() {
        let f = ImportFixture(["loop.conf": "include loop.conf;\n"])
        defer { f.remove() }
        var p = NginxParser()
        #expect(throws: NginxSyntaxError.self) { try p.parse(file: f.path("loop.conf")) }
    }

    @Test func anErrorInAnIncludedFileNamesThatFile() {
        let f = ImportFixture(["a.conf": "include b.conf;\n", "b.conf": "\n\nserver {\n"])
        defer { f.remove() }
        var p = NginxParser()
        do { _ = try p.parse(file: f.path("a.conf")) } catch {
            #expect(error.location == SourceLocation(file: f.path("b.conf"), line: 3))
        }
    }

    @Test func deepNestingIsBounded() {
        let text = String(repeating: "a {", count: NginxParser.maxDepth + 2) + String(repeating: "}", count: NginxParser.maxDepth + 2)
        #expect(throws: NginxSyntaxError.self) { try parse(text) }
    }

    @Test(arguments: [
        ("30", 30.0), ("10s", 10), ("5m", 300), ("1h", 3600), ("30000ms", 30), ("1h30m", 5400), ("500ms", 0.5),
        ("2d", 172_800), ("1w", 604_800),
    ])
    func times(text: String, seconds: Double) {
        #expect(NginxValue.seconds(text) == seconds)
    }

    @Test(arguments: ["", "s", "10x", "1.5s", "-1s", "10 s", "m10"])
    func badTimes(text: String) {
        #expect(NginxValue.seconds(text) == nil)
    }

    @Test(arguments: [("512", 512), ("16k", 16384), ("16K", 16384), ("1m", 1 << 20), ("2M", 2 << 20), ("1g", 1 << 30)])
    func sizes(text: String, bytes: Int) {
        #expect(NginxValue.bytes(text) == bytes)
    }

    @Test(arguments: ["", "k", "1kb", "-1", "99999999999999999999g"])
    func badSizes(text: String) {
        #expect(NginxValue.bytes(text) == nil)
    }
}
