import Foundation
import SluiceConfig
@testable import SluiceImport

/// A throwaway folder with nginx files in it, and helpers to import them and look into the result.
struct ImportFixture {
    let dir: String

    init(_ files: [String: String] = [:]) {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-import-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { write(name, text) }
    }

    func write(_ name: String, _ text: String) {
        let path = (dir as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    /// Imports `text` written as nginx.conf in the folder.
    func run(_ text: String) throws -> ImportResult {
        write("nginx.conf", text)
        return try NginxImporter.importFile(path("nginx.conf"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// A self-signed certificate for db.example.com and *.db.example.com, and its key.
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBtzCCAV2gAwIBAgIUT55xmo7xkvlfsSPon7qLDa//dQIwCgYIKoZIzj0EAwIw
        GTEXMBUGA1UEAwwOZGIuZXhhbXBsZS5jb20wIBcNMjYxMjAxMDg1NzUxWhgPMjEy
        NjExMDcwODU3NTFaMBkxFzAVBgNVBAMMDmRiLmV4YW1wbGUuY29tMFkwEwYHKoZI
        zj0CAQYIKoZIzj0DAQcDQgAE0Y8if/97SnGkfMi+2Ss130Z6Kn38sBtVnnuz5nIm
        ojM/rHZGjAmgZz+U45pxPFx+/F2SRh+zesjrzdXOIbHptaOBgDB+MB0GA1UdDgQW
        BBSMtffozEX/UjI3okkioDS8kMtZnTAfBgNVHSMEGDAWgBSMtffozEX/UjI3okki
        oDS8kMtZnTAPBgNVHRMBAf8EBTADAQH/MCsGA1UdEQQkMCKCDmRiLmV4YW1wbGUu
        Y29tghAqLmRiLmV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIGZiGEd38xi9
        2zGiuF5aKAFbd5g3nF9493XCcmP6BZbhAiEAq124SG/r9godENyPZ7ll55OpFg2D
        bfAFxQn8KwShaqI=
        -----END CERTIFICATE-----

        """
    static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8xusD7QUIE7rzHnw
        5sSvmhPUuflbS6FycIeYYajsEyahRANCAATRjyJ//3tKcaR8yL7ZKzXfRnoqffyw
        G1Wee7PmciaiMz+sdkaMCaBnP5TjmnE8XH78XZJGH7N6yOvN1c4hsem1
        -----END PRIVATE KEY-----

        """
}

extension ConfigValue {
    /// The value at a `/`-separated path: keys, or numbers for list items (`upstreams/0/nodes`).
    func at(_ path: String) -> ConfigValue? {
        var v: ConfigValue? = self
        for part in path.split(separator: "/") {
            if let i = Int(part), case .list(let items)? = v?.kind {
                v = i < items.count ? items[i] : nil
            } else {
                v = v?[String(part)]
            }
        }
        return v
    }

    /// The text of a scalar (`"chash"`, `"3"`, `"true"`), for compact expectations.
    var scalarText: String? {
        switch kind {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        default: nil
        }
    }
}

extension ImportResult {
    /// `config.yaml` values under `sluice/` and `gateway.yaml` values, by path: `config:stream_proxy/tcp/0`.
    func text(_ path: String) -> String? {
        if path.hasPrefix("config:") { return config.at("sluice/" + path.dropFirst(7))?.scalarText }
        return gateway.at(path)?.scalarText
    }

    /// The notes as `line: kind: subject: why` (file names left out).
    var noteLines: [String] { notes.map { "\($0.location.line): \($0.kind.rawValue): \($0.subject): \($0.why)" } }

    func hasNote(line: Int, _ kind: ImportNote.Kind, _ subject: String) -> Bool {
        notes.contains { $0.location.line == line && $0.kind == kind && $0.subject == subject }
    }
}
