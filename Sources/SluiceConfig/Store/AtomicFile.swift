import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file replacement: write a temporary file in the same folder, fsync it, rename it over the
/// target, fsync the folder. A reader sees the old content or the new, never a mix.
public enum AtomicFile {
    /// - Parameters:
    ///   - mode: permission bits for the new file; nil keeps the old file's (0644 for a new one).
    /// - Throws: a message naming the step that failed.
    public static func write(_ text: String, to path: String, mode: mode_t? = nil) throws(StoreError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var st = stat()
        let oldMode: mode_t = stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644
        let finalMode = mode ?? oldMode
        let tmp = "\(dir)/.\(url.lastPathComponent).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, finalMode)
        guard fd >= 0 else { throw .persistFailed("open \(tmp): \(errnoText())") }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = errnoText()
                close(fd)
                throw .persistFailed("write \(tmp): \(why)")
            }
            written += n
        }
        fchmod(fd, finalMode)
        guard fsync(fd) == 0 else {
            let why = errnoText()
            close(fd)
            throw .persistFailed("fsync \(tmp): \(why)")
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw .persistFailed("rename \(tmp) to \(path): \(errnoText())") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
