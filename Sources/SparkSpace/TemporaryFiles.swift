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

/// Temporary files to remove if the process is interrupted, so that no partial
/// download survives Ctrl-C.
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = ThreadLock()
    private var paths: Set<String> = []

    public func add(_ path: String) {
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }

    public func remove(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Deletes every registered file (called from the signal handler).
    public func removeAll() {
        lock.lock()
        let all = paths
        paths.removeAll()
        lock.unlock()
        for path in all { unlink(path) }
    }
}
