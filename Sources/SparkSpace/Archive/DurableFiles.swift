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

/// The file operations an archive is made of, each one either done and on disk or not
/// done at all, whenever the process is killed (SIGKILL between any two of them).
enum DurableFiles {
    /// Writes `bytes` to `path` as a whole: a temporary file beside it, synced, renamed over
    /// `path`, and the directory synced. A reader (or a killed run) sees the old file or the new.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot write", temporary) }
        do {
            try writeAll(fd, bytes, label: temporary)
            guard fsync(fd) == 0 else { throw failure("cannot sync", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(of: path)
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
