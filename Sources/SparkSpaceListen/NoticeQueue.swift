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
import Dispatch
import SparkSpace

/// Notices (lines for stderr) written by a thread of their own, so that whoever posts one never
/// waits: a pipe nobody drains blocks only that thread. Bounded and rate-limited: an attacker's
/// requests must not turn into as many lines (nor unbounded memory); what is dropped is counted
/// and said with the next line written.
public final class NoticeQueue: @unchecked Sendable {
    private let write: (String) -> Void
    private let capacity: Int
    private let perSecond: Double
    private let burst: Double
    private let lock = ThreadLock()
    private let ready = DispatchSemaphore(value: 0)
    private let idle = DispatchSemaphore(value: 0)
    private var pending: [() -> Void] = []
    private var head = 0
    private var tokens: Double
    private var refilled = Date()
    private var writing = false
    private var dropped = 0
    private var droppedCount = 0

    /// Notices dropped in all.
    public var droppedTotal: Int {
        lock.lock()
        defer { lock.unlock() }
        return droppedCount
    }

    /// - Parameters:
    ///   - capacity: lines waiting at most; more are dropped.
    ///   - perSecond: lines accepted per second on average, after a burst of `burst`; more are dropped.
    ///   - write: writes one line (may block: it runs on the queue's own thread).
    public init(capacity: Int = 64, perSecond: Double = 5, burst: Double = 20, write: @escaping (String) -> Void) {
        self.write = write
        self.capacity = max(1, capacity)
        self.perSecond = max(0.001, perSecond)
        self.burst = max(1, burst)
        tokens = max(1, burst)
        // A thread of its own (not Dispatch's small pool, where signal handlers run), busy for the
        // queue's life: the one thread that may block on stderr.
        startThread(stackSize: 1 << 20) { [self] in drain() }
    }

    /// Queues a line; never blocks. Rate-limited unless `always` (the tool's own few lines: start, stop).
    public func post(_ line: String, always: Bool = false) {
        post(always: always) { [write] in write(line) }
    }

    /// Queues a notice that `job` writes (a warning, a note with its own wording); never blocks.
    public func post(always: Bool = false, _ job: @escaping () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        refill()
        guard pending.count - head < capacity, always || tokens >= 1 else {
            dropped += 1
            droppedCount += 1
            return
        }
        if !always { tokens -= 1 }
        pending.append(job)
        ready.signal()
    }

    /// Waits until every queued line is written, or `seconds` have passed (a blocked stderr must
    /// not keep the process from ending); true when all were written.
    @discardableResult
    public func flush(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            lock.lock()
            let empty = head == pending.count && !writing
            lock.unlock()
            if empty { return true }
            if Date() >= deadline { return false }
            _ = idle.wait(timeout: .now() + .milliseconds(20))
        }
    }

    private func refill() {
        let now = Date()
        tokens = min(burst, tokens + now.timeIntervalSince(refilled) * perSecond)
        refilled = now
    }

    private func drain() {
        while true {
            ready.wait()
            lock.lock()
            let job = pending[head]
            head += 1
            if head > 256 && head * 2 > pending.count {
                pending.removeFirst(head)
                head = 0
            }
            let skipped = dropped
            dropped = 0
            writing = true
            lock.unlock()
            if skipped > 0 { write("\(skipped) notice\(skipped == 1 ? "" : "s") not shown (too many)") }
            job()
            lock.lock()
            writing = false
            lock.unlock()
            idle.signal()
        }
    }
}
