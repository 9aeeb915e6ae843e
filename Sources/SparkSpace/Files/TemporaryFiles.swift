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
package final class TemporaryFiles: @unchecked Sendable {
    package static let shared = TemporaryFiles()
    private let lock = ThreadLock()
    private var paths: Set<String> = []

    package func add(_ path: String) {
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }

    package func remove(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Deletes every registered file (called from the signal handler).
    package func removeAll() {
        lock.lock()
        let all = paths
        paths.removeAll()
        lock.unlock()
        for path in all { unlink(path) }
    }
}
