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

// Small replacements for the Foundation APIs that FoundationEssentials lacks
// (NSLock, Thread.sleep, String(format:), CharacterSet, percent-encoding): with
// them the binary links neither ICU nor swift-corelibs-foundation (issue #13).

/// Carries a value to another thread whose hand-off is synchronized otherwise (a semaphore
/// the sender waits on, a lock around every use): what the compiler cannot check here.
struct HandOff<Value>: @unchecked Sendable {
    let value: Value
}

/// A mutual-exclusion lock (a pthread mutex), for state shared between threads.
package final class ThreadLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// A recursive lock may be taken again by the thread that holds it.
    package init(recursive: Bool = false) {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        if recursive { pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE)) }
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Sleeps the calling thread (resuming after signals) for `seconds`.
package func sleepThread(seconds: Double) {
    guard seconds > 0, seconds.isFinite else { return }
    var request = sleepRequest(seconds: seconds)
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}

/// The `timespec` of a sleep of `seconds` (finite, positive), clamped where it converts: at most
/// `Int32.max` seconds, the fraction taken from what is left after the clamp, so that a wait
/// of 1e10 s neither traps (`Int(1e19)`) nor asks nanosleep for an invalid nanosecond count.
package func sleepRequest(seconds: Double) -> timespec {
    guard seconds < Double(Int32.max) else { return timespec(tv_sec: Int(Int32.max), tv_nsec: 0) }
    let whole = seconds.rounded(.down)
    let nanos = min(max(((seconds - whole) * 1_000_000_000).rounded(.down), 0), 999_999_999)
    return timespec(tv_sec: Int(whole), tv_nsec: Int(nanos))
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode space separators).
    package func trimmingSpaces() -> String { trimming(where: isSpace) }

    /// Without leading and trailing white space, line breaks included.
    package func trimmingSpacesAndNewlines() -> String { trimming(where: { $0.properties.isWhitespace }) }

    /// Without leading and trailing characters of `set`.
    package func trimming(charactersIn set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        return trimming(where: { scalars.contains($0) })
    }

    func trimming(where trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
            let last = scalars.lastIndex(where: { !trimmed($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

/// A space or tab (`CharacterSet.whitespaces`).
func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
}

/// A control or format character (`CharacterSet.controlCharacters`: Cc and Cf).
package func isControl(_ scalar: Unicode.Scalar) -> Bool {
    let category = scalar.properties.generalCategory
    return category == .control || category == .format
}

/// `value` with exactly `digits` decimals (`String(format: "%.1f")`).
package func fixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return "\(value)" }
    let units = Int64(scaled)
    let divisor = Int64(scale)
    let sign = value < 0 && units != 0 ? "-" : ""
    let whole = "\(sign)\(units / divisor)"
    return digits == 0 ? whole : whole + "." + zeroPadded(Int(units % divisor), width: digits)
}

/// `n` with leading zeros to `width` digits (`%04d`).
package func zeroPadded(_ n: Int, width: Int) -> String {
    let digits = String(n.magnitude)
    let padding = String(repeating: "0", count: max(0, width - digits.count))
    return (n < 0 ? "-" : "") + padding + digits
}

/// Percent-encodes everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
package func percentEncoded(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF")
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
        }
    }
    return out
}

/// `directory/name`, without doubling a slash (`NSString.appendingPathComponent`).
package func joinedPath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The last path component (`NSString.lastPathComponent`).
package func lastPathComponent(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    if trimmed == "/" { return "/" }
    return String(trimmed.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
}

/// The extension of the last path component, without the dot; "" when none (`NSString.pathExtension`).
package func pathExtension(_ path: String) -> String {
    let name = lastPathComponent(path)
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    let ext = name[name.index(after: dot)...]
    return ext.contains(" ") ? "" : String(ext)
}

/// Everything readable from `fd` until end of file, or what came by the read that took it past
/// `limit` bytes (the caller sees the count and refuses). A failed read throws `failure` of the reason.
package func readToEnd(fd: Int32, limit: Int = .max,
                       failure: (String) -> SparkError = { .io("cannot read: \($0)") }) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while out.count <= limit {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n == 0 { return out }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure(String(cString: strerror(errno)))
        }
        out.append(contentsOf: buffer[0..<n])
    }
    return out
}

/// `%XX` escapes decoded as UTF-8; nil when an escape is malformed or the bytes are not UTF-8.
package func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var input = text.utf8.makeIterator()
    while let byte = input.next() {
        guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
        guard let high = input.next().flatMap(hexValue), let low = input.next().flatMap(hexValue) else { return nil }
        bytes.append(high << 4 | low)
    }
    let decoded = String(decoding: bytes, as: UTF8.self)
    return decoded.utf8.elementsEqual(bytes) ? decoded : nil
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// Seconds since 1970 of an HTTP date (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`);
/// nil when `text` is not one.
package func httpDateSeconds(_ text: String) -> Double? {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let parts = text.split(separator: " ")
    guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" || parts[5] == "UTC",
        let day = Int(parts[1]), (1...31).contains(day),
        let month = months.firstIndex(of: String(parts[2])),
        parts[3].count == 4, let year = Int(parts[3])
    else { return nil }
    let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
    guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
        let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
        (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
    else { return nil }
    let days = RFC3339.daysFromCivil(year, month + 1, day)
    return Double(days * 86400 + hour * 3600 + minute * 60 + second)
}

/// `text` safe to echo in a message: control characters as `?`, at most `limit` characters.
package func printable(_ text: String, limit: Int = 80) -> String {
    let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "?" : $0 }))
    return cleaned.count > limit ? cleaned.prefix(limit) + "..." : cleaned
}

/// `write(2)`, for types whose own `write` method hides the global function.
package func writeBytes(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Runs `body` on a new detached thread with a stack of `stackSize` bytes (`Thread` without Foundation).
package func startThread(stackSize: Int, _ body: @escaping @Sendable () -> Void) {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let started = pthread_create(&thread, &attributes, { runThreadBody($0) }, context)
    // Out of threads: run here rather than lose the work.
    if started != 0 { _ = runThreadBody(context) }
}

/// Runs and releases the body `startThread` passed (the pointer is optional on Linux, not on Darwin).
private func runThreadBody(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
    return nil
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
