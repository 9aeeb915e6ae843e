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

/// What an archive directory (`walk-messages --download DIR`) holds already: the file
/// `DIR/.spark-space-downloads`, one line per saved attachment, `URL<TAB>NAME`, appended as
/// each file is saved, so that a walk that was interrupted resumes without fetching again.
public final class DownloadIndex {
    /// The index's file name inside the directory.
    public static let fileName = ".spark-space-downloads"

    /// The directory the index lists.
    public let directory: String
    private var names: [String: String] = [:]
    /// The next number to try for `name (n).ext`, by name: each save probes from where the last
    /// one stopped, so 3,000 files of one name cost 3,000 probes, not 4.5 million.
    private var nextNumber: [String: Int] = [:]

    /// Reads the index of `directory`; none (or no directory yet) is an empty index.
    /// Lines that are not `URL<TAB>NAME` with a plain file name are ignored. The index is read as a
    /// stream (flat memory) and never through a link: a symbolic link (or anything but a regular
    /// file) there is an error, so an attacker's link never gets lines appended to what it names.
    public init(directory: String) throws {
        self.directory = directory
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw Self.unusable(path, errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw Self.unusable(path, "it is not a regular file")
        }
        try readLines(fd) { line in self.take(line) }
    }

    static func unusable(_ path: String, _ why: String) -> SparkError {
        .io("cannot use the download index \(path): \(why)")
    }

    /// Calls `body` with each line of `fd`, read in blocks: never the whole file in memory.
    private func readLines(_ fd: Int32, _ body: (ArraySlice<UInt8>) -> Void) throws {
        var block = [UInt8](repeating: 0, count: 1 << 16)
        var carry: [UInt8] = []
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.unusable(path, String(cString: strerror(errno)))
            }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where block[i] == 10 {
                if carry.isEmpty {
                    body(block[start..<i])
                } else {
                    carry += block[start..<i]
                    body(carry[...])
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            // A line longer than any URL and name (1 MB) is dropped, not grown without end.
            carry += block[start..<n]
            if carry.count > 1 << 20 { carry.removeAll() }
        }
        if !carry.isEmpty { body(carry[...]) }
    }

    private func take(_ line: ArraySlice<UInt8>) {
        guard let tab = line.firstIndex(of: 9), tab > line.startIndex,
              !line[(tab + 1)...].contains(9) else { return }
        let url = String(decoding: line[..<tab], as: UTF8.self)
        let name = String(decoding: line[(tab + 1)...], as: UTF8.self)
        // Only a name `download` could have written: never a path out of the directory.
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return }
        names[url] = name
    }

    private var path: String { joinedPath(directory, Self.fileName) }

    /// The name an attachment was saved under before, if any.
    public func saved(_ url: String) -> String? { names[url] }

    /// The first free name for `name` (itself, then `name (1).ext`, 2, ...), asking `isTaken` once per
    /// candidate from where the previous call for this name stopped: linear, and no limit.
    public func freeName(for name: String, isTaken: (String) throws -> Bool) rethrows -> String {
        var number = nextNumber[name] ?? 0
        while true {
            let candidate = number == 0 ? name : AttachmentName.numbered(name, number)
            number += 1
            if try !isTaken(candidate) {
                nextNumber[name] = number
                return candidate
            }
        }
    }

    /// Records a saved attachment (appended to the file at once, never through a link).
    public func add(_ url: String, name: String) throws {
        names[url] = name
        // A URL with a tab or line break would break the line format: such a file is kept, not indexed.
        guard !url.contains(where: { $0 == "\t" || $0.isNewline }) else { return }
        var line = Array("\(url)\t\(name)\n".utf8)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o666)
        guard fd >= 0 else {
            throw Self.unusable(path, errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw Self.unusable(path, "it is not a regular file")
        }
        // A last line cut short (an interrupted run, an edit) must not swallow this one.
        var last: UInt8 = 0
        let size = lseek(fd, 0, SEEK_END)
        if size > 0, pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") {
            line.insert(UInt8(ascii: "\n"), at: 0)
        }
        try line.withUnsafeBytes { try FileSink(fd: fd, label: path, rewindable: false).write($0) }
    }
}

extension AttachmentName {
    /// `report.pdf` → `report (2).pdf`; `README` → `README (2)`; `a.tar.gz` → `a.tar (2).gz`.
    public static func numbered(_ name: String, _ number: Int) -> String {
        let ext = pathExtension(name)
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        return "\(stem) (\(number))" + (ext.isEmpty ? "" : "." + ext)
    }
}
