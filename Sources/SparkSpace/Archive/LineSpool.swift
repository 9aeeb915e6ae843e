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
/// `memoryLimit` bytes they go to a temporary file without a name (nothing is left behind
/// whenever the process dies), and only their lengths stay in memory.
final class LineSpool {
    /// How a spool file's name starts, on a filesystem that refuses `O_TMPFILE` (it has one
    /// between `mkstemp` and `unlink`: a run killed there leaves it, the next run removes it).
    static let namePrefix = ".spark-space-spool-"

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
        if fd < 0 { fd = try Self.nameless(in: directory) }
        try DurableFiles.writeAll(fd, buffer, label: "a temporary file in \(directory)")
        flushed += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// A new temporary file in `directory`, open for reading and writing, that has no name: on
    /// Linux `O_TMPFILE` (it never has one); where the filesystem refuses it, `mkstemp` then
    /// `unlink` (a name for an instant; `tmpfile: false` takes that way at once, for tests).
    static func nameless(in directory: String, tmpfile: Bool = true) throws -> Int32 {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        if tmpfile {
            // Glibc does not import `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`); `__O_TMPFILE` is 0o20000000 here.
            let fd = open(directory, 0o20000000 | O_DIRECTORY | O_RDWR | O_CLOEXEC, 0o600)
            if fd >= 0 { return fd }
            // Refused by the filesystem (or an older kernel): the named way. Anything else is the same
            // failure either way.
            guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else {
                throw DurableFiles.failure("cannot make a temporary file in", directory)
            }
        }
        #endif
        var template = Array(joinedPath(directory, namePrefix + "XXXXXX").utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw DurableFiles.failure("cannot make a temporary file in", directory) }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return named
    }

    /// Removes the spool files a killed run left in `directory`: regular files named as `mkstemp`
    /// names them (`namePrefix` and six letters or digits). One a run still has open loses only the
    /// name it was about to unlink itself. What cannot be removed stays (a later run tries again).
    static func removeLeftovers(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(namePrefix) {
            let suffix = name.utf8.dropFirst(namePrefix.utf8.count)
            let isAlphanumeric = { (c: UInt8) in (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
            guard suffix.count == 6, suffix.allSatisfy(isAlphanumeric) else { continue }
            let path = joinedPath(directory, name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            unlink(path)
        }
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
