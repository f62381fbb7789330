import Foundation
import Logging
import Synchronization

/// The last lines logged, for the Log screen, and optionally a log file: in console mode nothing is written
/// over the screen.
public final class LogBuffer: Sendable {
    private let entries = Mutex<(last: UInt64, list: [LogEntry])>((0, []))
    private let capacity: Int
    private let path: String?
    private let file: Mutex<FileHandle?>

    /// - Parameter path: a file to append every line to as well (created with its folder), or nil.
    public init(capacity: Int = 500, path: String?) {
        self.capacity = capacity
        self.path = path
        file = Mutex(path.flatMap(Self.openForAppending))
    }

    private static func openForAppending(_ path: String) -> FileHandle? {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        return handle
    }

    /// Closes the log file and opens its path again (log rotation, SIGUSR1); keeps the old file if that fails.
    public func reopen() {
        guard let path, let fresh = Self.openForAppending(path) else { return }
        file.withLock { current in
            try? current?.close()
            current = fresh
        }
    }

    public func append(_ line: String, level: Logger.Level = .info) {
        entries.withLock {
            $0.last += 1
            $0.list.append(LogEntry(sequence: $0.last, level: level, line: line))
            if $0.list.count > capacity { $0.list.removeFirst($0.list.count - capacity) }
        }
        file.withLock { $0?.write(Data((line + "\n").utf8)) }
    }

    /// The last `capacity` entries, oldest first.
    public var recent: [LogEntry] { entries.withLock { $0.list } }

    /// A swift-log handler writing here.
    public func handler(label: String) -> LogHandler { LogBufferHandler(buffer: self) }
}

/// swift-log's side of `LogBuffer`.
struct LogBufferHandler: LogHandler {
    let buffer: LogBuffer
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Date().formatted(.iso8601.time(includingFractionalSeconds: false))
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        buffer.append("\(time) \(event.level) \(event.message)\(meta)", level: event.level)
    }
}
