import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads an nginx configuration into a directive tree, following `include` (with globs, relative to the
/// directory of the file that includes) at any level.
///
/// Bounded: blocks nest at most `maxDepth` deep, includes at most `maxIncludeDepth` deep, and at most `maxFiles`
/// files are read, so a file that includes itself is an error rather than a hang.
public struct NginxParser {
    public static let maxDepth = 32
    public static let maxIncludeDepth = 16
    public static let maxFiles = 1000

    private var filesRead = 0

    public init() {}

    /// Parses the file at `path` (named `path` in messages) and everything it includes.
    /// - Throws: `NginxSyntaxError` with the file and line of the first problem.
    public mutating func parse(file path: String) throws(NginxSyntaxError) -> [NginxDirective] {
        try parse(file: path, from: nil, includeDepth: 0)
    }

    /// Parses `text` as if read from the file `file` (includes are relative to its folder).
    public mutating func parse(text: String, file: String) throws(NginxSyntaxError) -> [NginxDirective] {
        try parse(text: text, file: file, includeDepth: 0)
    }

    private mutating func parse(file path: String, from: SourceLocation?,
                                includeDepth: Int) throws(NginxSyntaxError) -> [NginxDirective] {
        filesRead += 1
        let here = from ?? SourceLocation(file: path, line: 1)
        guard filesRead <= Self.maxFiles else {
            throw NginxSyntaxError(here, "more than \(Self.maxFiles) files included")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NginxSyntaxError(here, "cannot read \(path): \(Self.whyUnreadable(path))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NginxSyntaxError(here, "\(path) is not UTF-8 text")
        }
        return try parse(text: text, file: path, includeDepth: includeDepth)
    }

    private mutating func parse(text: String, file: String,
                                includeDepth: Int) throws(NginxSyntaxError) -> [NginxDirective] {
        let tokens = try NginxLexer(text: text, file: file).tokens()
        var cursor = 0
        let directives = try block(tokens, &cursor, file: file, depth: 0, includeDepth: includeDepth)
        if cursor < tokens.count {
            throw NginxSyntaxError(SourceLocation(file: file, line: tokens[cursor].line), "unexpected \"}\"")
        }
        return directives
    }

    /// Directives up to a `}` (left for the caller) or the end of the tokens.
    private mutating func block(_ tokens: [LocatedToken], _ i: inout Int, file: String, depth: Int,
                                includeDepth: Int) throws(NginxSyntaxError) -> [NginxDirective] {
        var out: [NginxDirective] = []
        while i < tokens.count {
            let first = tokens[i]
            let location = SourceLocation(file: file, line: first.line)
            guard case .word(let name) = first.token else {
                if first.token == .closeBrace { return out }
                throw NginxSyntaxError(location, first.token == .openBrace ? "unexpected \"{\"" : "unexpected \";\"")
            }
            i += 1
            var args: [String] = []
            while i < tokens.count, case .word(let w) = tokens[i].token {
                args.append(w)
                i += 1
            }
            guard i < tokens.count else {
                throw NginxSyntaxError(location, "unexpected end of file, expecting \";\" or \"}\" after \"\(name)\"")
            }
            let end = tokens[i]
            i += 1
            switch end.token {
            case .semicolon:
                if name == "include" {
                    out += try include(args, at: location, includeDepth: includeDepth)
                } else {
                    out.append(NginxDirective(name: name, args: args, location: location))
                }
            case .openBrace:
                guard depth < Self.maxDepth else {
                    throw NginxSyntaxError(location, "blocks nested more than \(Self.maxDepth) deep")
                }
                let inner = try block(tokens, &i, file: file, depth: depth + 1, includeDepth: includeDepth)
                guard i < tokens.count, tokens[i].token == .closeBrace else {
                    throw NginxSyntaxError(location, "unexpected end of file, expecting \"}\" to close \"\(name)\"")
                }
                i += 1
                out.append(NginxDirective(name: name, args: args, block: inner, location: location))
            case .closeBrace:
                throw NginxSyntaxError(SourceLocation(file: file, line: end.line),
                                       "unexpected \"}\", expecting \";\" after \"\(name)\"")
            case .word:
                preconditionFailure("the argument loop consumes words")
            }
        }
        return out
    }

    /// The directives of every file an `include` names, in glob order. A pattern with wildcards may match
    /// nothing; a plain path must exist.
    private mutating func include(_ args: [String], at location: SourceLocation,
                                  includeDepth: Int) throws(NginxSyntaxError) -> [NginxDirective] {
        guard args.count == 1 else {
            throw NginxSyntaxError(location, "include takes one file name or pattern, got \(args.count)")
        }
        guard includeDepth < Self.maxIncludeDepth else {
            throw NginxSyntaxError(location, "includes nested more than \(Self.maxIncludeDepth) deep (an include loop?)")
        }
        let pattern = args[0].hasPrefix("/") ? args[0]
            : ((location.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(args[0])
        let hasWildcard = pattern.contains { "*?[".contains($0) }
        let paths = hasWildcard ? Self.glob(pattern) : [pattern]
        var out: [NginxDirective] = []
        for path in paths {
            out += try parse(file: path, from: location, includeDepth: includeDepth + 1)
        }
        return out
    }

    /// Files matching `pattern`, sorted (glob(3)'s order), folders left out.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for k in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[k], let path = String(validatingCString: p) else { continue }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out
    }

    private static func whyUnreadable(_ path: String) -> String {
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) { return "no such file" }
        return isDir.boolValue ? "it is a folder" : "permission denied"
    }
}
