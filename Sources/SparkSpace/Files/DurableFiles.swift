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

/// File operations each either done and on disk or not done at all, whenever the process is
/// killed (SIGKILL between any two of them): what archives, cursors and credentials are made of.
enum DurableFiles {
    /// Writes `bytes` to `path` as a whole: a temporary file of its own beside it (`mode`),
    /// synced, renamed over `path`, and the directory synced. A reader, a killed run or a power
    /// cut sees the old file or the new, never half of one. The one way the library replaces a
    /// file (archive pages and state, pull state, credentials).
    static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws {
        try replace(path, mode: mode) { out in try out.write(bytes) }
    }

    /// The same, the content written by `body` a piece at a time (a page of a large room is never
    /// whole in memory).
    static func replace(_ path: String, mode: mode_t = 0o644, writing body: (BufferedFile) throws -> Void) throws {
        // A name no other writer takes (`O_EXCL`): two unlocked writers of one file each rename a
        // whole file of their own. Interrupted (SIGINT, SIGTERM), the process removes it.
        let temporary = joinedPath(parentDirectory(path), "." + lastPathComponent(path) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let (fd, _) = try TemporaryFiles.shared.create {
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard fd >= 0 else { throw failure("cannot write", path) }
            return (fd, temporary)
        }
        defer { TemporaryFiles.shared.remove(temporary) }
        do {
            let out = BufferedFile(fd: fd, label: path)
            try body(out)
            try out.flush()
            guard fsync(fd) == 0 else { throw failure("cannot sync", path) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot write", path)
            unlink(temporary)
            throw error
        }
        // Renamed: the new file is the one readers see, so this is done (a caller that undid its
        // own state on an error would disagree with the disk). A directory that cannot be synced
        // only leaves the rename to the file system's own next sync.
        try? syncDirectory(of: path)
    }

    /// Removes what `replace` left in `directory` when its process was killed (SIGKILL): hidden
    /// `.NAME.tmp-PID-N` files of a process that no longer runs. A running writer's file stays,
    /// and so does anything else, whatever its name. What cannot be removed waits for a later run.
    /// With `file`, only that file's (in a directory the caller does not own).
    static func removeLeftovers(in directory: String, of file: String? = nil) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let prefix = "." + (file ?? "")
        for name in names where name.hasPrefix(prefix) {
            guard let pid = leftoverPid(name), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = joinedPath(directory, name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            unlink(path)
        }
    }

    /// The leftovers of the one file at `path` (in a directory the caller does not own), under its lock.
    static func removeLeftovers(of path: String) {
        removeLeftovers(in: parentDirectory(path), of: lastPathComponent(path))
    }

    /// The writer's pid in a name `replace` gives its temporary file, nil for any other name.
    static func leftoverPid(_ name: String) -> pid_t? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        let isNumber = { (part: Substring) in !part.isEmpty && part.count <= 10 && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard parts.count >= 3, parts[parts.count - 3].hasSuffix(".tmp"), isNumber(parts[parts.count - 2]),
              isNumber(parts[parts.count - 1]), let pid = Int32(parts[parts.count - 2]), pid > 0 else { return nil }
        return pid
    }

    /// Runs `body` holding `flock(LOCK_EX)` on `lockPath`, waiting for another holder to let go.
    static func withLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let lock = try FileLock.wait(for: lockPath)
        defer { lock.release() }
        return try body()
    }

    /// Appends `bytes` to the open file and syncs it: they are on disk when this returns.
    static func append(_ fd: Int32, _ bytes: [UInt8], label: String) throws {
        guard !bytes.isEmpty else { return }
        try writeAll(fd, bytes, label: label)
        guard fsync(fd) == 0 else { throw failure("cannot sync", label) }
    }

    /// Makes `path` a directory (and its parents), then syncs its parent so the entry lasts.
    static func makeDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw SparkError.io("\(path) exists and is not a directory") }
            return
        }
        let parent = parentDirectory(path)
        if parent != path, !parent.isEmpty { try makeDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("cannot create directory", path) }
        try syncDirectory(of: path)
    }

    /// Syncs the directory holding `path` (a created, renamed or removed entry is then on disk).
    static func syncDirectory(of path: String) throws {
        let parent = parentDirectory(path)
        let fd = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open directory", parent) }
        defer { close(fd) }
        // Some file systems cannot sync a directory (EINVAL): nothing more can be done there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw failure("cannot sync directory", parent) }
    }

    /// The size of a file, nil when it does not exist.
    static func size(_ path: String) throws -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw failure("cannot read", path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SparkError.io("\(path) is not a regular file") }
        return Int64(info.st_size)
    }

    /// Everything in a file; nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("cannot read", path)
        }
        defer { close(fd) }
        return try readToEnd(fd: fd)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], label: String) throws {
        try bytes.withUnsafeBytes { try FileSink(fd: fd, label: label, rewindable: false).write($0) }
    }

    static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    static func failure(_ what: String, _ path: String) -> SparkError {
        .io("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

/// `flock(LOCK_EX)` on a lock file, held until `release()` (or the process ends, however it
/// ends: the kernel lets go of a dead process's lock). The file is created when missing and
/// left in place: removing it would let two runs lock two different files.
final class FileLock {
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Takes the lock, waiting for another holder to let go.
    static func wait(for path: String) throws -> FileLock {
        guard let lock = try take(path, blocking: true) else { throw DurableFiles.failure("cannot lock", path) }
        return lock
    }

    /// Takes the lock if it is free; nil when another process (or descriptor) holds it.
    static func attempt(_ path: String) throws -> FileLock? {
        try take(path, blocking: false)
    }

    private static func take(_ path: String, blocking: Bool) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DurableFiles.failure("cannot open", path) }
        while flock(fd, blocking ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let held = errno == EWOULDBLOCK
            let error = DurableFiles.failure("cannot lock", path)
            close(fd)
            if held && !blocking { return nil }
            throw error
        }
        return FileLock(fd: fd)
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// Writes to a descriptor in pieces of 64 KB.
final class BufferedFile {
    private let fd: Int32
    private let label: String
    private var buffer: [UInt8] = []

    init(fd: Int32, label: String) {
        self.fd = fd
        self.label = label
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ bytes: [UInt8]) throws {
        guard bytes.count < 1 << 16 else {
            // A whole file's bytes (`replace(_:with:)`) go out as they are, not copied first.
            try flush()
            return try DurableFiles.writeAll(fd, bytes, label: label)
        }
        buffer += bytes
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ text: String) throws {
        var text = text
        // A native string's bytes in one copy (appending its UTF-8 view byte by byte is slow).
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try DurableFiles.writeAll(fd, buffer, label: label)
        buffer.removeAll(keepingCapacity: true)
    }
}
