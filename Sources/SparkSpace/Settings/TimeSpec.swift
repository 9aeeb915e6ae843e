#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// TIME values of `--since` / `--before` (SPEC "ROOM arguments"): an RFC 3339
/// date-time (`2026-11-25T10:00:00Z`, fractions and offsets allowed) or a relative
/// age (`45s`, `30m`, `2h`, `7d`, `2w`) counted back from now.
public enum TimeSpec {
    /// Parses a TIME; nil when `text` is neither form.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        let trimmed = text.trimmingSpaces()
        if let millis = RFC3339.millis(trimmed) {
            return Date(timeIntervalSince1970: Double(millis) / 1000)
        }
        return relative(trimmed, now: now)
    }

    /// The longest relative age: 1000 years.
    public static let maxAgeSeconds: Double = 1000 * 366 * 86400

    /// `30m` → now − 30 minutes. Units: s, m, h, d, w.
    static func relative(_ text: String, now: Date) -> Date? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, amount.isFinite,
            !text.dropLast().contains(where: { !($0.isNumber || $0 == ".") })
        else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3600
        case "d": seconds = amount * 86400
        case "w": seconds = amount * 7 * 86400
        default: return nil
        }
        // Further back than any message (and than what milliseconds in an Int64 hold) is a typo.
        guard seconds <= maxAgeSeconds else { return nil }
        return now.addingTimeInterval(-seconds)
    }
}

/// Fast RFC 3339 parsing and formatting, in milliseconds since 1970 (UTC).
/// Used per message by `walk-messages --since`, so it avoids `DateFormatter`.
public enum RFC3339 {
    /// `2026-11-25T10:00:00Z`, `2026-11-25T10:00:00.123+02:00`, `2026-11-25 10:00:00z` → ms; nil when malformed.
    public static func millis(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { millis(bytes: $0) }
    }

    /// The same, on UTF-8 bytes.
    public static func millis(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            i += count
            return value
        }
        func expect(_ chars: String) -> Bool {
            guard i < b.count, chars.utf8.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("Tt "), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var millis = 0
        if i < b.count && b[i] == 46 {  // "."
            i += 1
            var scale = 100
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                millis += Int(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offsetMinutes = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {  // Z z
            i += 1
        } else if b[i] == 43 || b[i] == 45 {  // + -
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(":"), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// `2026-11-25T10:00:00.000Z` (UTC, milliseconds), as the API writes stamps.
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, milli) = floored(ms, 1000)
        let (days, rem) = floored(seconds, 86400)
        let (y, m, d) = civilFromDays(Int(days))
        return zeroPadded(y, width: 4) + "-" + zeroPadded(m, width: 2) + "-" + zeroPadded(d, width: 2) + "T"
            + zeroPadded(rem / 3600, width: 2) + ":" + zeroPadded(rem % 3600 / 60, width: 2) + ":"
            + zeroPadded(rem % 60, width: 2) + "." + zeroPadded(milli, width: 3) + "Z"
    }

    /// `value / divisor` rounded down, and what is left (0 ..< divisor), also before 1970.
    static func floored(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, Int(remainder))
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
