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

    /// Reads the index of `directory`; none (or no directory yet) is an empty index.
    /// Lines that are not `URL<TAB>NAME` with a plain file name are ignored.
    public init(directory: String) throws {
        self.directory = directory
        guard let data = FileManager.default.contents(atPath: path) else { return }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty else { continue }
            let name = String(fields[1])
            // Only a name `download` could have written: never a path out of the directory.
            guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"),
                  !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { continue }
            names[String(fields[0])] = name
        }
    }

    private var path: String { joinedPath(directory, Self.fileName) }

    /// The name an attachment was saved under before, if any.
    public func saved(_ url: String) -> String? { names[url] }

    /// Records a saved attachment (appended to the file at once).
    public func add(_ url: String, name: String) throws {
        names[url] = name
        // A URL with a tab or line break would break the line format: such a file is kept, not indexed.
        guard !url.contains(where: { $0 == "\t" || $0.isNewline }) else { return }
        var line = Array("\(url)\t\(name)\n".utf8)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SparkError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
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
