#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `sluice-fuzz TARGET [libFuzzer flags] [corpus folders]`: one libFuzzer target of Sluice's parsers (Fuzz/README.md),
// built with coverage and AddressSanitizer by `make fuzz` / `make sanitize-build`.
let targets: [(name: String, check: FuzzTarget)] = [
    ("json", JSONTarget.check),
    ("yaml", YAMLTarget.check),
    ("storedobjects", StoredObjectsTarget.check),
    ("mqtt", MQTTTarget.check),
    ("proxyprotocol", ProxyProtocolTarget.check),
    ("clienthello", ClientHelloTarget.check),
    ("admin", AdminTarget.check),
]

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets.first(where: { $0.name == arguments[1] }) else {
    printError("usage: sluice-fuzz TARGET [libFuzzer flags] [corpus folders]\ntargets: "
               + targets.map(\.name).joined(separator: " ") + "\n")
    exit(2)
}
runFuzzer(target.check, arguments: [arguments[0]] + arguments.dropFirst(2))
