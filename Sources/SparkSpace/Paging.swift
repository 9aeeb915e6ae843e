import Foundation

/// Parses an RFC 8288 `Link` header into relation → URL.
public func parseLinkHeader(_ value: String?) -> [String: String] {
    guard let value else { return [:] }
    var links: [String: String] = [:]
    var rest = Substring(value)
    while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
        let url = String(rest[rest.index(after: open)..<close])
        rest = rest[rest.index(after: close)...]
        let end = rest.firstIndex(of: "<") ?? rest.endIndex
        for param in rest[..<end].split(separator: ";") {
            let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
            for rel in pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\",")).split(separator: " ") {
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
    private var buffer: [JSON] = []
    private var position = 0
    /// Pages fetched so far.
    public private(set) var pages = 0

    init(client: WebexClient, firstURL: String) {
        self.client = client
        self.nextURL = firstURL
    }

    /// The next item, fetching the next page when the current one is used up.
    public mutating func next() throws -> JSON? {
        while position >= buffer.count {
            guard let url = nextURL else { return nil }
            // Let the used page go before the next one arrives: one page in memory, not two.
            buffer = []
            position = 0
            let response = try client.send("GET", url)
            nextURL = parseLinkHeader(response.headers["Link"])["next"]
            buffer = try client.decode(response).json["items"]?.array ?? []
            position = 0
            pages += 1
        }
        defer { position += 1 }
        return buffer[position]
    }

    /// The rest of the items of the current page (at least one, fetching a page if needed); nil at the end.
    public mutating func nextPage() throws -> ArraySlice<JSON>? {
        guard try next() != nil else { return nil }
        let slice = buffer[(position - 1)...]
        position = buffer.count
        return slice
    }

    /// Collects up to `limit` items (nil: all of them).
    public mutating func collect(limit: Int? = nil) throws -> [JSON] {
        var items: [JSON] = []
        while limit.map({ items.count < $0 }) ?? true, let item = try next() { items.append(item) }
        return items
    }
}
