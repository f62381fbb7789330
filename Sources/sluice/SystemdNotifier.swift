import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// systemd's notify protocol (`sd_notify(3)`): one datagram per state change to the unix socket named by
/// `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace). Without the variable it does nothing, so
/// running by hand or under another supervisor is unchanged.
struct SystemdNotifier: Sendable {
    /// The socket address, nil when `$NOTIFY_SOCKET` is unset or unusable.
    private let socketPath: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socketPath = (path.hasPrefix("/") || path.hasPrefix("@")) && path.utf8.count < 108 ? path : nil
    }

    /// Every listener is bound: the service is up.
    func ready() { send("READY=1\nSTATUS=Listening") }

    /// SIGHUP: the configuration is being re-read; `ready()` follows when done.
    func reloading() { send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=Reloading") }

    /// SIGTERM: draining open connections before the exit.
    func stopping() { send("STOPPING=1\nSTATUS=Draining open connections") }

    private static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// Sends one datagram; failures are ignored (systemd then times the start out, which is the right signal).
    private func send(_ message: String) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let payload = Array(message.utf8)
        _ = withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sa, length) }
            }
        }
    }
}
