import Dispatch
import Foundation
import Testing
@testable import SluiceEngine

/// The access log writer: ordering, flushing, appending, rotation, overflow and open failures.
struct AccessLogWriterTests {
    func temporaryFolder() -> String {
        NSTemporaryDirectory() + "sluice-log-\(UUID().uuidString)"
    }

    func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func writesInOrderAndFlushMakesThemVisible() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/nested/logs/access.log"
        let writer = try AccessLogWriter(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        for i in 0..<10_000 { writer.write("line \(i)") }
        writer.flush()
        let written = try lines(path)
        #expect(written.count == 10_001 && written.last == "")
        #expect(written.dropLast() == (0..<10_000).map { Substring("line \($0)") })
        #expect(writer.droppedLines == 0)
    }

    @Test func appendsToAnExistingFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/access.log"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        let writer = try AccessLogWriter(path: path)
        writer.write("new é")
        writer.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\nnew é\n")
    }

    @Test func reopenAfterRenameCreatesANewFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/access.log"
        let writer = try AccessLogWriter(path: path)
        writer.write("before rotation")
        writer.flush()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        writer.write("still old file")
        writer.reopen()
        writer.write("after rotation")
        writer.flush()
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "before rotation\nstill old file\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "after rotation\n")
    }

    @Test func failedReopenKeepsTheOldFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try? FileManager.default.removeItem(atPath: folder + ".moved")
        defer { try? FileManager.default.removeItem(atPath: folder + ".moved") }
        let writer = try AccessLogWriter(path: folder + "/access.log")
        try FileManager.default.moveItem(atPath: folder, toPath: folder + ".moved")
        try "x".write(toFile: folder, atomically: false, encoding: .utf8)  // the folder is now a file
        writer.reopen()
        writer.write("kept")
        writer.flush()
        #expect(try String(contentsOfFile: folder + ".moved/access.log", encoding: .utf8) == "kept\n")
        #expect(writer.droppedLines == 0)
    }

    @Test func dropsAndCountsBeyondMaxPending() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/access.log"
        let writer = try AccessLogWriter(path: path, maxPending: 3)
        let gate = DispatchSemaphore(value: 0)
        writer.queue.async { gate.wait() }  // the disk is "stuck": nothing drains
        for i in 0..<5 { writer.write("line \(i)") }
        #expect(writer.droppedLines == 2)
        gate.signal()
        writer.flush()
        #expect(try lines(path) == ["line 0", "line 1", "line 2", ""])
        writer.write("line 5")  // room again once drained
        writer.flush()
        #expect(try lines(path) == ["line 0", "line 1", "line 2", "line 5", ""])
        #expect(writer.droppedLines == 2)
    }

    @Test func zeroMaxPendingDropsEverything() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try AccessLogWriter(path: folder + "/access.log", maxPending: 0)
        writer.write("dropped")
        writer.flush()
        #expect(writer.droppedLines == 1)
        #expect(try String(contentsOfFile: folder + "/access.log", encoding: .utf8) == "")
    }

    @Test func concurrentWritersKeepEachWritersOrder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/access.log"
        let writer = try AccessLogWriter(path: path)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<2_000 { writer.write("t\(thread) \(i)") }
        }
        writer.flush()
        let written = try lines(path).dropLast()
        #expect(written.count == 8_000)
        for thread in 0..<4 {
            let mine = written.filter { $0.hasPrefix("t\(thread) ") }
            #expect(mine == (0..<2_000).map { Substring("t\(thread) \($0)") })
        }
    }

    @Test func unopenablePathThrows() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let notAFolder = folder + "/file"
        try "x".write(toFile: notAFolder, atomically: false, encoding: .utf8)
        #expect(throws: AccessLogWriterError.self) { try AccessLogWriter(path: notAFolder + "/access.log") }
        #expect(throws: AccessLogWriterError.self) { try AccessLogWriter(path: folder) }  // a directory
    }
}
