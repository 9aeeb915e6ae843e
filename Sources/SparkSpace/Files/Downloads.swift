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

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a HEAD request tells about an attachment.
public struct AttachmentInfo: Equatable, Sendable {
    /// The attachment's URL.
    public var url: String
    /// The sanitized file name (what `download` writes), `downloadable` when the server names none.
    public var name: String
    /// The name exactly as the server sent it, if any.
    public var serverName: String?
    /// `Content-Length`, when known.
    public var size: Int64?
    /// `Content-Type`, when the server sent one.
    public var contentType: String?
}

/// An attachment saved to disk.
public struct DownloadedFile: Equatable, Sendable {
    /// The attachment's URL.
    public var url: String
    /// Where it was saved.
    public var path: String
    /// The file name it was saved under.
    public var name: String
    /// Its size in bytes.
    public var size: Int64
    /// True when an archive had it from an earlier run (nothing fetched).
    public var reused = false
}

/// Writes a response body to a file descriptor, reporting a full disk clearly.
/// `reset()` starts the file afresh for a retried attempt.
public final class FileSink {
    /// The descriptor written to (owned by the caller).
    public let fd: Int32
    /// What the file is called in messages.
    public let label: String
    private let rewindable: Bool
    /// Bytes written so far.
    public private(set) var written: Int64 = 0

    /// Writes into `fd`; `label` names the file in errors; `rewindable`: a retry may start the file again.
    public init(fd: Int32, label: String, rewindable: Bool) {
        self.fd = fd
        self.label = label
        self.rewindable = rewindable
    }

    /// Empties the file for a new attempt; a stream that cannot rewind and already got bytes throws.
    public func reset() throws {
        guard written > 0 else { return }
        guard rewindable else {
            throw SparkError.io("the transfer of \(label) broke after \(written) bytes were written; cannot restart it")
        }
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw SparkError.io("cannot restart \(label): \(String(cString: strerror(errno)))")
        }
        written = 0
    }

    /// Writes all of `buffer`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard var base = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = writeBytes(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.writeError(errno, label)
            }
            base += n
            left -= n
            written += Int64(n)
        }
    }

    static func writeError(_ code: Int32, _ label: String) -> SparkError {
        switch code {
        case ENOSPC: return .io("disk full while writing \(label)")
        case EDQUOT: return .io("disk quota exceeded while writing \(label)")
        case EPIPE: return .io("output closed while writing \(label)")
        default: return .io("cannot write \(label): \(String(cString: strerror(code)))")
        }
    }
}

extension Space {
    /// Name, size and type of an attachment from a HEAD request (seed `name_attachment`).
    public func attachmentInfo(_ url: String, as role: TokenRole = .bot) throws -> AttachmentInfo {
        try Self.checkDownloadable(url)
        let response = try client(role).send(.head, url)
        let serverName = AttachmentName.parse(contentDisposition: response.headers["Content-Disposition"])
        return AttachmentInfo(
            url: url, name: AttachmentName.sanitize(serverName), serverName: serverName,
            size: response.headers["Content-Length"].flatMap { Int64($0) },
            contentType: response.headers["Content-Type"])
    }

    /// Downloads an attachment into `directory` (made when missing) under its sanitized
    /// server name (seed `download_attachment`), with one GET (its `Content-Disposition` names
    /// the file), streamed to a temporary file in that directory and moved into place at the
    /// end: no partial file survives a failure, nothing is written outside `directory`.
    /// An existing file is `fileExists` unless `force`.
    /// 423 (still being scanned) waits `Retry-After` and retries, within the wait budget.
    /// The bytes received go to the observer as `.progress` events named after the file.
    public func download(
        _ url: String, into directory: String, force: Bool = false, as role: TokenRole = .bot
    ) throws -> DownloadedFile {
        let fetched = try fetchAttachment(url, into: directory, refuseExisting: !force, as: role)
        defer { fetched.file.discard() }
        let target = joinedPath(directory, fetched.name)
        try fetched.file.publish(as: target, force: force)
        return DownloadedFile(url: url, path: target, name: fetched.name, size: fetched.size)
    }

    /// Saves an attachment into an archive `directory` that is never overwritten: a different
    /// file whose name is taken gets `name (1).ext` (then 2, ...), and an attachment `index`
    /// lists as saved before (its file still there) is not fetched again, so a walk that was
    /// interrupted resumes where it stopped. Each save is added to the index at once.
    public func archive(
        _ url: String, into directory: String, index: DownloadIndex, as role: TokenRole = .bot
    ) throws -> DownloadedFile {
        if let saved = index.saved(url) {
            let path = joinedPath(directory, saved)
            var info = stat()
            // Trusted only when it is a regular file in the directory (lstat: a link is not one).
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                return DownloadedFile(url: url, path: path, name: saved, size: Int64(info.st_size), reused: true)
            }
        }
        let fetched = try fetchAttachment(url, into: directory, refuseExisting: false, as: role)
        defer { fetched.file.discard() }
        let name = try index.freeName(for: fetched.name) { candidate in
            do {
                try fetched.file.publish(as: joinedPath(directory, candidate), force: false)
                return false
            } catch SparkError.fileExists {
                return true  // taken: the next name
            }
        }
        try index.add(url, name: name)
        return DownloadedFile(url: url, path: joinedPath(directory, name), name: name,
                              size: fetched.size)
    }

    /// One GET of an attachment into a temporary file of `directory`, which is made (with
    /// parents) only once the server answered with the file. The caller publishes or discards it.
    /// With `refuseExisting`, a name that is taken in `directory` stops the transfer as soon as the
    /// headers name it (`fileExists`), before a byte of the body is stored.
    private func fetchAttachment(
        _ url: String, into directory: String, refuseExisting: Bool, as role: TokenRole
    ) throws -> (file: TemporaryFile, name: String, size: Int64) {
        try Self.checkDownloadable(url)
        let pending = PendingFile(directory: directory)
        // The name comes with the GET's headers; progress shows it from then on.
        let shown = ShownName()
        let client = try client(role)
        do {
            let response = try client.send(
                .get, url,
                makeSink: {
                    try pending.restart()
                    return { buffer in
                        if let taken = shown.taken { throw Space.exists(taken) }
                        try pending.sink().write(buffer)
                    }
                },
                progress: client.progressReporter { shown.name },
                onHead: { status, headers in
                    shown.name = AttachmentName.sanitize(
                        AttachmentName.parse(contentDisposition: headers["Content-Disposition"]))
                    let target = joinedPath(directory, shown.name)
                    var info = stat()
                    if refuseExisting, (200..<300).contains(status), lstat(target, &info) == 0 { shown.taken = target }
                })
            if let taken = shown.taken { throw Space.exists(taken) }
            let sink = try pending.sink()  // an empty file wrote no bytes: made now
            let serverName = AttachmentName.parse(contentDisposition: response.headers["Content-Disposition"])
            return (try pending.take(), AttachmentName.sanitize(serverName), sink.written)
        } catch {
            pending.discard()
            throw error
        }
    }
    /// Streams an attachment to a file descriptor (`--stdout`); returns the bytes written.
    /// A transfer that breaks after bytes went out is an error, not a retry.
    @discardableResult
    public func download(_ url: String, to fd: Int32, label: String = "stdout", as role: TokenRole = .bot) throws -> Int64 {
        try Self.checkDownloadable(url)
        let sink = FileSink(fd: fd, label: label, rewindable: false)
        try client(role).send(.get, url, makeSink: {
            try sink.reset()
            return { try sink.write($0) }
        })
        return sink.written
    }

    /// Only http(s) URLs are attachments: a `file:` URL would publish a local file (or nothing).
    static func checkDownloadable(_ url: String) throws {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard url.contains("://"), scheme == "http" || scheme == "https" else {
            throw SparkError.invalidInput("not an http(s) URL: \(url)")
        }
    }

    static func exists(_ path: String) -> SparkError {
        .fileExists(path: path)
    }

    static func prepareDirectory(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw SparkError.invalidInput("\(directory) is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SparkError.io("cannot create directory \(directory): \(error)")
        }
    }
}

/// The temporary file of a download, made on the first byte (or at the end, for an empty
/// file), so that nothing is created before the server answered with the file.
private final class PendingFile {
    let directory: String
    private var file: TemporaryFile?
    private var fileSink: FileSink?

    init(directory: String) { self.directory = directory }

    /// The sink of the temporary file, making the directory and the file on first use.
    func sink() throws -> FileSink {
        if let fileSink { return fileSink }
        try Space.prepareDirectory(directory)
        let made = try TemporaryFile(directory: directory, name: "download")
        file = made
        let sink = FileSink(fd: made.fd, label: joinedPath(directory, "(download)"),
                            rewindable: true)
        fileSink = sink
        return sink
    }

    /// Empties the file for another attempt.
    func restart() throws { try fileSink?.reset() }

    /// The file, for the caller to publish or discard.
    func take() throws -> TemporaryFile {
        guard let file else { throw SparkError.io("no file was written in \(directory)") }
        self.file = nil
        return file
    }

    func discard() {
        file?.discard()
        file = nil
    }
}

/// A `.NAME.XXXXXX.part` file created exclusively in the target directory, removed
/// unless published, and registered so that Ctrl-C removes it too.
final class TemporaryFile {
    let path: String
    private(set) var fd: Int32
    private var published = false

    init(directory: String, name: String) throws {
        (fd, path) = try TemporaryFiles.shared.create {
            var template = Array(joinedPath(directory, ".\(name).XXXXXX.part").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
            guard fd >= 0 else {
                throw SparkError.io("cannot create a file in \(directory): \(String(cString: strerror(errno)))")
            }
            return (fd, String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        // mkstemp makes 0600; a download gets the usual 0666 & ~umask.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
    }

    /// Moves the file to `target`: over an existing file with `force`, else a conflict when it exists.
    func publish(as target: String, force: Bool) throws {
        if fd >= 0 {
            let closed = close(fd)
            fd = -1
            if closed != 0 { throw FileSink.writeError(errno, target) }
        }
        if force {
            guard rename(path, target) == 0 else {
                throw SparkError.io("cannot save \(target): \(String(cString: strerror(errno)))")
            }
        } else if link(path, target) == 0 {
            unlink(path)
        } else {
            let code = errno
            if code == EEXIST { throw Space.exists(target) }
            // File systems without hard links: check, then rename.
            guard !FileManager.default.fileExists(atPath: target) else { throw Space.exists(target) }
            guard rename(path, target) == 0 else {
                throw SparkError.io("cannot save \(target): \(String(cString: strerror(errno)))")
            }
        }
        published = true
        TemporaryFiles.shared.remove(path)
    }

    /// Closes and removes the file unless it was published.
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        guard !published else { return }
        unlink(path)
        TemporaryFiles.shared.remove(path)
    }
}

/// The file name a transfer's progress shows. Set from the header callback and read from the
/// progress callback, which curl calls on the one thread that runs the transfer.
private final class ShownName: @unchecked Sendable {
    var name = "attachment"
    /// The path the headers named when it exists already (and must not be overwritten).
    var taken: String?
}
