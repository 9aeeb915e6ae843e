#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines received newest first, handed back oldest first, in bounded memory: past
/// `memoryLimit` bytes they go to an unlinked temporary file (nothing is left behind
/// whenever the process dies), and only their lengths stay in memory.
final class LineSpool {
    private let directory: String
    private let memoryLimit: Int
    private var fd: Int32 = -1
    /// Bytes already in the file; `buffer` follows them.
    private var flushed: Int64 = 0
    private var buffer: [UInt8] = []
    private var lengths: [Int32] = []
    /// Each line's message `created`, in ms.
    private var millis: [Int64] = []

    init(directory: String, memoryLimit: Int = 1 << 20) {
        self.directory = directory
        self.memoryLimit = memoryLimit
    }

    deinit { if fd >= 0 { close(fd) } }

    var count: Int { lengths.count }

    func add(_ line: [UInt8], millis created: Int64) throws {
        guard line.count < Int(Int32.max) else { throw SparkError.io("a message of \(line.count) bytes is too long to archive") }
        buffer += line
        lengths.append(Int32(line.count))
        millis.append(created)
        if buffer.count >= memoryLimit { try flush() }
    }

    private func flush() throws {
        if fd < 0 {
            var template = Array(joinedPath(directory, ".spark-space-spool-XXXXXX").utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw DurableFiles.failure("cannot make a temporary file in", directory) }
            _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        }
        try DurableFiles.writeAll(fd, buffer, label: "a temporary file in \(directory)")
        flushed += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each line, oldest (the last added) first.
    func oldestFirst(_ body: ([UInt8], Int64) throws -> Void) throws {
        var end = flushed + Int64(buffer.count)
        for index in lengths.indices.reversed() {
            let start = end - Int64(lengths[index])
            try body(try line(at: start, length: Int(lengths[index])), millis[index])
            end = start
        }
    }

    private func line(at offset: Int64, length: Int) throws -> [UInt8] {
        if offset >= flushed {
            let from = Int(offset - flushed)
            return Array(buffer[from..<(from + length)])
        }
        var line = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = line.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(offset) + off_t(done)) }
            guard n > 0 else {
                if n < 0 && errno == EINTR { continue }
                throw SparkError.io("cannot read back a temporary file in \(directory)")
            }
            done += n
        }
        return line
    }
}
