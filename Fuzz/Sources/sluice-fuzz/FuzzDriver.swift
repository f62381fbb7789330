#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One fuzz target: checks one input, trapping (a failed `precondition`) on a finding.
typealias FuzzTarget = @Sendable ([UInt8]) -> Void

/// Writes `text` to standard error (fd 2: no shared `FILE`).
func printError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}

/// The input as bytes (libFuzzer may pass a null pointer for the empty input).
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

#if SLUICE_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target libFuzzer's callback feeds; set once, before the driver starts.
nonisolated(unsafe) private var running: FuzzTarget?

/// Runs libFuzzer's driver (from `libclang_rt.fuzzer_no_main`) with `arguments` (its flags and corpus folders,
/// after the program name), feeding each input to `target`; exits with the driver's status. A crash or a failed
/// `precondition` in `target` is a finding.
func runFuzzer(_ target: @escaping FuzzTarget, arguments: [String]) -> Never {
    running = target
    var argc = CInt(arguments.count)
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = .allocate(capacity: arguments.count + 1)
    for (i, argument) in arguments.enumerated() { argv[i] = strdup(argument) }
    argv[arguments.count] = nil
    exit(runDriver(&argc, &argv) { data, size in
        running?(fuzzBytes(data, size))
        return 0
    })
}
#else
/// Built without libFuzzer (a plain `swift build`): says how to build the real thing.
func runFuzzer(_ target: @escaping FuzzTarget, arguments: [String]) -> Never {
    printError("sluice-fuzz was built without libFuzzer: `make fuzz` builds and runs it (Fuzz/README.md)\n")
    exit(2)
}
#endif
