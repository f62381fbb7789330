import Foundation
public struct AccessLogRecord: Sendable {
    public var connectionID: UInt64
    public var remoteAddr: String; public var remotePort: Int
    public var serverAddr: String; public var serverPort: Int
    public var transport: String
    public var status: Int
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    public var start: Date; public var end: Date
    public var upstreamAddr: String?
    public var upstreamAddrsTried: [String]
    public var upstreamBytesSent: UInt64; public var upstreamBytesReceived: UInt64
    public var upstreamConnectTime: Double?
    public var routeID: String?
    public var closeReason: String
}
public struct AccessLogFormat: Sendable {
    public static let defaultFormat = ""
    public init(_ format: String) throws {}
    public func render(_ record: AccessLogRecord) -> String { "\(record.remoteAddr) \(record.status) \(record.closeReason) \(record.upstreamAddrsTried)" }
}
public final class AccessLogWriter: Sendable {
    public init(path: String, maxPending: Int = 50_000) throws {}
    public func write(_ line: String) {}
    public func reopen() {}
    public func flush() {}
}
