import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw append-only file descriptor for the access log; used only on the writer's serial queue.
struct AccessLogFile: Sendable {
    /// The open descriptor.
    let descriptor: Int32

    /// Creates the parent folders and the file (mode 0644, less the umask) and opens it for appending.
    static func opening(_ path: String) throws(AccessLogWriterError) -> AccessLogFile {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw AccessLogWriterError(path: path, reason: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AccessLogWriterError(path: path, reason: String(cString: strerror(errno)))
        }
        return AccessLogFile(descriptor: fd)
    }

    /// Writes all of `bytes`, retrying short writes and `EINTR`; returns how many bytes made it.
    func append(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress, buffer.count)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        return offset
    }

    /// Closes the descriptor.
    func release() {
        _ = close(descriptor)
    }
}

/// `write(2)` under a name that no method shadows.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
