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
import SparkSpace

/// Thrown when stdout is closed (`| head`): the command ends quietly with exit 0.
struct OutputClosed: Error {}

/// A buffered writer on a file descriptor that notices a closed pipe. Thread-safe
/// (`listen` writes from worker threads).
final class FDWriter: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Serializes writers on several threads (`-v` logs of concurrent requests).
    private let lock = ThreadLock(recursive: true)

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }

    func write(bytes: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    /// Lets `body` append to the buffer in place (no intermediate array per line).
    func append(_ body: (inout [UInt8]) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        body(&buffer)
        if buffer.count >= 1 << 18 { try flush() }
    }

    /// Runs `body` holding the writer's lock (the status line's state lives under it).
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { writeBytes(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                buffer.removeAll(keepingCapacity: true)
                if errno == EPIPE { throw OutputClosed() }
                throw SparkError.io("cannot write output: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
