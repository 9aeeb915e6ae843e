import Foundation

/// What threads add, in the order it came, read back once they are done.
class LockedList<Element>: @unchecked Sendable {  // `items` is guarded by `lock`
    private let lock = NSLock()
    private var items: [Element] = []

    func add(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
