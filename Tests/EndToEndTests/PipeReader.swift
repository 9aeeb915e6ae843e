import Foundation

/// Reads `handle` on a thread of its own until end of file, each chunk to `chunk` as it comes,
/// then calls `ended`: a child's pipe drained while it runs, so that it never blocks on a full one.
func readOnThread(_ handle: FileHandle, chunk: @escaping @Sendable (Data) -> Void,
                  ended: @escaping @Sendable () -> Void = {}) {
    Thread.detachNewThread {
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            chunk(data)
        }
        ended()
    }
}
