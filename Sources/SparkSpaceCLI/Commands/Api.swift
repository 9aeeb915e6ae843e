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
import SparkSpace

/// `api PATH`: any API call, as `gh api`.
let apiCommand = CommandSpec(
    "api", summary: "call any API endpoint and print its JSON (as gh api)",
    details: """
        PATH is relative to the API base (rooms, /rooms/ID, people?email=...); an absolute URL must be on \
        the API's own host: the token never goes anywhere else (exit 2). -f KEY=VALUE adds a string field, \
        -F KEY=VALUE a typed one (true, false, null, numbers, JSON): a JSON body, or the query of a GET. \
        --input sends a JSON body from FILE or stdin (-). The method defaults to GET, or POST with a body \
        (fields without -X GET or --paginate). \
        --paginate follows Link: rel="next" and prints every item (an array; -o ndjson: one item a line, \
        streamed). Prints JSON whatever the output format: pretty on a terminal, compact when piped. \
        Retries and exit codes as every command. A member named secret (a webhook's) is printed as *** \
        and its last 4 characters.
        """,
    arguments: [ArgumentSpec(name: "PATH", help: "the endpoint, relative to the API base")],
    options: [.method, .rawField, .field, .input, .paginate],
    examples: [
        "spark-space api people/me",
        "spark-space api rooms -f type=group -f max=5 --paginate -o ndjson",
        "spark-space api rooms/Y2lz... -X PUT -f title='New title'",
        "echo '{\"title\":\"Ops\"}' | spark-space api rooms --input -",
    ],
    writes: true, run: callAPI)

/// What `api` sends, read and checked before any request: the method (as gh api: POST when there is
/// a body, else GET), the path, the query of a GET and the JSON body.
struct APIOptions: CommandOptions {
    var method: RequestMethod
    var path: String
    var paginate: Bool
    var query: [(String, String)] = []
    var body: [UInt8]?

    init(_ inv: Invocation) throws {
        let fields = try typedFields(inv)
        let input = inv.value(.input)
        paginate = inv.has(.paginate)
        path = inv.positionals[0]
        // --paginate reads, so its fields are the query.
        let wantsBody = input != nil || (!fields.isEmpty && !paginate)
        let name = (inv.value(.method) ?? (wantsBody ? "POST" : "GET")).uppercased()
        guard let method = RequestMethod(rawValue: name) else {
            throw inv.usage("-X takes GET, POST, PUT, PATCH, DELETE or HEAD, not '\(sanitizeCell(name))'")
        }
        self.method = method
        if paginate && method != .get { throw inv.usage("--paginate needs GET, not \(method)") }
        if input != nil && !fields.isEmpty { throw inv.usage("give --input or -f/-F fields, not both") }
        if let input {
            body = try inputBody(input, inv: inv)
        } else if method.isRead {
            query = fields.map { ($0.0, queryText($0.1)) }
        } else if !fields.isEmpty {
            var bytes: [UInt8] = []
            JSON.object(Dictionary(fields, uniquingKeysWith: { _, last in last })).write(into: &bytes)
            body = bytes
        }
    }
}

private func callAPI(_ inv: Invocation) throws {
    let call = try APIOptions(inv)
    let space = try inv.space
    let client = try space.client(inv.role())
    if call.path.contains("://") && !client.mayAuthenticate(call.path) {
        throw inv.usage("refusing to send the token to '\(sanitizeCell(call.path))': only the API's own host "
            + "(\(client.baseURL)) gets it")
    }
    if call.paginate { return try paginate(call, client: client, inv: inv) }
    let response = try client.send(call.method, call.path, query: call.query, body: call.body.map { .json($0) } ?? .none)
    guard !response.body.isEmpty else { return }
    try printJSON(try client.decode(response).json, inv: inv)
}

/// `-f/--raw-field KEY=VALUE` (a string) and `-F/--field KEY=VALUE` (typed: JSON when it parses, else a string), as `gh api`.
private func typedFields(_ inv: Invocation) throws -> [(String, JSON)] {
    var fields: [(String, JSON)] = []
    for text in inv.all(.rawField) { fields.append((try key(text, inv), .string(value(text)))) }
    for text in inv.all(.field) {
        let raw = value(text)
        fields.append((try key(text, inv), (try? JSON.parse(raw)) ?? .string(raw)))
    }
    return fields
}

private func key(_ field: String, _ inv: Invocation) throws -> String {
    guard let equals = field.firstIndex(of: "="), equals != field.startIndex else {
        throw UsageError("a field is KEY=VALUE, not '\(field)'", command: inv.parsed.command)
    }
    return String(field[..<equals])
}

private func value(_ field: String) -> String {
    field.firstIndex(of: "=").map { String(field[field.index(after: $0)...]) } ?? ""
}

private func queryText(_ value: JSON) -> String {
    value.string ?? value.compactText
}

/// The largest `--input` body: a JSON body of the API is far smaller (a message's text is 7439 bytes).
private let maxInputBytes = 16 << 20

/// The JSON body of `--input`, checked: not JSON is a usage error before any request.
private func inputBody(_ input: String, inv: Invocation) throws -> [UInt8] {
    let text: String
    if input == "-" {
        text = try inv.readStdin(for: "--input", limit: maxInputBytes)
    } else {
        let fd = open(input, O_RDONLY | O_CLOEXEC)
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
              let data = try? readToEnd(fd: fd, limit: maxInputBytes) else {
            if fd >= 0 { close(fd) }
            throw UsageError("cannot read --input \(input)", command: inv.parsed.command)
        }
        close(fd)
        guard data.count <= maxInputBytes else {
            throw UsageError("--input \(input) is over \(maxInputBytes) bytes", command: inv.parsed.command)
        }
        text = String(decoding: data, as: UTF8.self)
    }
    do {
        _ = try JSON.parse(text)
    } catch {
        throw UsageError("--input \(input) is not JSON (\(error))", command: inv.parsed.command)
    }
    return Array(text.utf8)
}

/// Every item of every page: one array, or with `-o ndjson` one item a line as pages arrive.
private func paginate(_ call: APIOptions, client: WebexClient, inv: Invocation) throws {
    var pages = client.list(call.path, query: call.query)
    if inv.chosenFormat == .ndjson {
        let stream = ItemStream(output: inv.output, columns: [])
        while let page = try pages.nextPage() { try stream.write(page.map(redactingSecrets)) }
        return try stream.finish()
    }
    try printJSON(.array(try pages.collect()), inv: inv)
}

/// JSON whatever `-o` says: pretty on a terminal, compact when piped (as gh api).
private func printJSON(_ answer: JSON, inv: Invocation) throws {
    // A token or secret never appears in output (SPEC), also not in an answer printed as is.
    let json = redactingSecrets(answer)
    var bytes: [UInt8] = []
    if inv.console.stdoutIsTerminal { json.writePretty(into: &bytes) } else { json.write(into: &bytes) }
    bytes.append(10)
    try inv.out.write(bytes: bytes)
}
