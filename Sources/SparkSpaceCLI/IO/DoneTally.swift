import SparkSpace

/// What a bulk command has done so far, said if a signal ends it (SPEC "Feedback on long work":
/// after Ctrl-C, who was done): `interrupted after 3 of 10: done: a, b, c; not done: d, ...`.
/// The items are done in their order (a bulk command reports results in input order).
final class DoneTally: @unchecked Sendable {
    private let items: [String]
    private let console: Console
    private let lock = ThreadLock()
    private var done = 0

    init(_ items: [String], console: Console) {
        self.items = items
        self.console = console
        SignalHandling.lastWords.set(summary: { [weak self] in self?.say() })
    }

    deinit { SignalHandling.lastWords.set(summary: nil) }

    /// One more item has its result; returns how many have.
    @discardableResult
    func markDone() -> Int {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        return done
    }

    private func say() {
        lock.lock()
        let count = done
        lock.unlock()
        func names(_ list: ArraySlice<String>) -> String {
            list.isEmpty ? "none" : list.prefix(50).joined(separator: ", ")
                + (list.count > 50 ? " and \(list.count - 50) more" : "")
        }
        console.warn("interrupted after \(count) of \(items.count): done: \(names(items.prefix(count))); "
            + "not done: \(names(items.dropFirst(count)))")
    }
}
