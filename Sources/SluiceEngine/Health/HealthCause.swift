import NIOCore
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// Why a node's health changed, as logged and shown.
package enum HealthCause: String, Sendable {
    /// The node refused the connection (or ICMP said the port is unreachable).
    case refused
    /// A connect or probe took longer than its timeout.
    case timedOut = "timed out"
    /// The node reset or closed the connection before the probe was done.
    case reset
    /// The reply did not start with `expect`.
    case expectMismatch = "expect mismatch"
    /// The node's host name has no address (the lookup failed and no earlier answer is kept).
    case unresolved = "name unresolved"
    /// The TLS handshake failed.
    case tlsFailed = "tls handshake failed"
    /// Probes succeeded `healthy.successes` times in a row.
    case checksPassed = "checks passed"
    /// Real connects succeeded.
    case connectsSucceeded = "connects succeeded"
    /// A suspended node's `fail_timeout` is over: it gets connections again.
    case failTimeoutOver = "fail_timeout over"

    /// How a failed connect or probe is counted: connection errors by errno, NIO's connect timeout as a timeout.
    init(error: Error) {
        switch error {
        case ChannelError.connectTimeout: self = .timedOut
        case let e as NIOConnectionError:
            self = e.connectionErrors.first.map { HealthCause(error: $0.error) } ?? .refused
        case let e as IOError: self = HealthCause(errno: e.errnoCode)
        case is NIOSSLError, is BoringSSLError: self = .tlsFailed
        case is NodeNameError: self = .unresolved
        default: self = .reset
        }
    }

    /// A connect's errno: ETIMEDOUT is a timeout, ECONNRESET / EPIPE a reset, anything else a refusal.
    init(errno: Int32) {
        switch errno {
        case ETIMEDOUT: self = .timedOut
        case ECONNRESET, EPIPE: self = .reset
        default: self = .refused
        }
    }

    /// True for the causes that count as a failure (and not as a recovery).
    package var isFailure: Bool {
        switch self {
        case .refused, .timedOut, .reset, .expectMismatch, .tlsFailed, .unresolved: true
        case .checksPassed, .connectsSucceeded, .failTimeoutOver: false
        }
    }
}
