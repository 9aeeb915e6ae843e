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

/// Temporary files to remove if the process is interrupted, so that no partial download,
/// half-replaced file or walk spool survives Ctrl-C.
package final class TemporaryFiles: @unchecked Sendable {
    package static let shared = TemporaryFiles()
    private let lock = ThreadLock()
    private var paths: Set<String> = []
    private var ending = false

    /// Creates a file and registers it in one step: `create` runs under the lock `removeAll`
    /// takes, so a signal handled between the two never leaves the file behind. Once `removeAll`
    /// has run (the process is ending), nothing more is created: this throws instead.
    package func create(_ create: () throws -> (fd: Int32, path: String)) throws -> (fd: Int32, path: String) {
        try lock.withLock {
            guard !ending else { throw SparkError.interrupted }
            let made = try create()
            paths.insert(made.path)
            return made
        }
    }

    package func remove(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Deletes every registered file (called from the signal handler), and from then on refuses
    /// to create one: the process is about to end.
    package func removeAll() {
        lock.withLock {
            ending = true
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
