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

/// Parses an RFC 8288 `Link` header into relation → URL.
package func parseLinkHeader(_ value: String?) -> [String: String] {
    guard let value else { return [:] }
    var links: [String: String] = [:]
    var rest = Substring(value)
    while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
        let url = String(rest[rest.index(after: open)..<close])
        rest = rest[rest.index(after: close)...]
        let end = rest.firstIndex(of: "<") ?? rest.endIndex
        for param in rest[..<end].split(separator: ";") {
            let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
            for rel in pair[1].trimming(charactersIn: "\",").split(separator: " ") {
                links[String(rel)] = url
            }
        }
        rest = rest[end...]
    }
    return links
}

/// The items of a list endpoint, fetched lazily page after page by following
/// `Link: <...>; rel="next"`; never more than one page is held.
public struct PageIterator {
    private let client: WebexClient
    private var nextURL: String?
    /// Every page URL asked for: a `Link` that points back to one of them would loop forever.
    private var visited: Set<String> = []
    private var buffer: [JSON] = []
    private var position = 0
    /// Pages fetched so far.
    public private(set) var pages = 0
    /// Whether a page is left to fetch (the last one had a `Link` to follow).
    public var hasNext: Bool { nextURL != nil || prefetched != nil }
    private var prefetched: Prefetch?
    /// Pages are read with `nextRawPage`: a prefetched page is scanned on its thread too.
    private var rawPages = false
    /// The most items the caller will take, when it knows: the last page then asks only for what is
    /// still needed (`max` lowered), never a full page for a few items.
    public var limit: Int?
    /// Items received so far.
    private var received = 0

    init(client: WebexClient, firstURL: String) {
        self.client = client
        self.nextURL = firstURL
        visited.insert(firstURL)
    }

    /// The next item, fetching the next page when the current one is used up.
    public mutating func next() throws -> JSON? {
        while position >= buffer.count {
            // Let the used page go before the next one arrives.
            buffer = []
            position = 0
            guard let page = try nextResponse() else { return nil }
            buffer = try client.decode(page.response).json["items"]?.array ?? []
            received += buffer.count
        }
        defer { position += 1 }
        return buffer[position]
    }

    /// The next page kept as bytes (never empty; see `RawItems`); nil at the end.
    /// Do not mix with `next()` on the same page.
    public mutating func nextRawPage() throws -> RawItems? {
        rawPages = true
        while let page = try nextResponse() {
            let items = try page.scanned?.get() ?? Self.scan(page.response, client)
            received += items.count
            if items.count > 0 { return items }
        }
        return nil
    }

    private static func scan(_ response: HTTPResponse, _ client: WebexClient) throws -> RawItems {
        try client.decode(response) { try RawItems(page: $0) }
    }

    /// The next page (prefetched or fetched now), following `Link`; nil after the last page.
    private mutating func nextResponse() throws -> Fetched? {
        let page: Fetched
        if let prefetched {
            self.prefetched = nil
            page = try prefetched.wait()
        } else {
            guard let url = nextURL.map(capped) else { return nil }
            page = Fetched(response: try client.send(.get, url))
        }
        nextURL = try checkedNext(parseLinkHeader(page.response.headers["Link"])["next"])
        pages += 1
        return page
    }

    /// `next` when it may be followed: on the API's own origin (so `file:` and other hosts are
    /// never asked, nor given the token) and not a page already fetched.
    private mutating func checkedNext(_ next: String?) throws -> String? {
        guard let next else { return nil }
        guard client.mayAuthenticate(next) else {
            throw SparkError.io("the API's Link header points away from the API (\(next)); stopped paging")
        }
        guard visited.insert(next).inserted else {
            throw SparkError.io("the API's Link header points back to a page already read (\(next)); stopped paging")
        }
        return next
    }

    /// The rest of the items of the current page (at least one, fetching a page if needed); nil at the end.
    public mutating func nextPage() throws -> ArraySlice<JSON>? {
        guard try next() != nil else { return nil }
        let slice = buffer[(position - 1)...]
        position = buffer.count
        return slice
    }

    /// Starts fetching and parsing the next page on another thread while the caller
    /// works on this one, so that network, parsing and writing overlap. Call it only
    /// when the next page will be wanted: request counts stay exact.
    public mutating func prefetchNext() {
        guard prefetched == nil, position >= buffer.count, let url = nextURL.map(capped) else { return }
        let (client, raw) = (self.client, rawPages)
        // Only bytes (and their scan) come early: a parsed page costs several times its text in memory.
        prefetched = Prefetch {
            let response = try client.send(.get, url)
            return Fetched(response: response, scanned: raw ? Result { try Self.scan(response, client) } : nil)
        }
        nextURL = nil
    }

    /// `url` asking for no more than the items still wanted: `max` lowered to what `limit` leaves
    /// (only after the first page; the first request has its own `max`).
    private func capped(_ url: String) -> String {
        guard let limit, received > 0, limit > received else { return url }
        return Self.lowering(url, max: limit - received)
    }

    /// `url` with its `max=N` query item replaced by `max` when that is smaller; other items untouched.
    static func lowering(_ url: String, max: Int) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let items = url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        let lowered = items.map { item -> String in
            guard item.hasPrefix("max="), let current = Int(item.dropFirst(4)), max < current else { return String(item) }
            return "max=\(max)"
        }
        return String(url[...question]) + lowered.joined(separator: "&")
    }

    /// Collects up to `limit` items (nil: all of them).
    public mutating func collect(limit: Int? = nil) throws -> [JSON] {
        if let limit { self.limit = limit }
        var items: [JSON] = []
        while limit.map({ items.count < $0 }) ?? true, let item = try next() { items.append(item) }
        return items
    }
}

/// A page as received, and scanned when it was prefetched for `nextRawPage` (its error kept
/// for the caller, who meets it in order).
private struct Fetched {
    var response: HTTPResponse
    var scanned: Result<RawItems, Error>? = nil
}

/// One page being fetched on a background queue.
private final class Prefetch: @unchecked Sendable {
    private static let queue = DispatchQueue(label: "spark-space.prefetch")
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Fetched, Error>?

    init(_ work: @escaping () throws -> Fetched) {
        let work = HandOff(value: work)
        Self.queue.async {
            self.result = Result { try work.value() }
            self.done.signal()
        }
    }

    func wait() throws -> Fetched {
        done.wait()
        return try result!.get()
    }
}
