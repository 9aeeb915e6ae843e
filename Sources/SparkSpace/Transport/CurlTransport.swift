import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// HTTP over libcurl, with one easy handle reused per thread so that
/// connections stay alive across requests (a walk of 200 pages opens one).
///
/// libcurl is loaded with `dlopen` on the first request, not at start-up (see
/// Sources/CCurl/shim.h); when it cannot be loaded, `perform` throws
/// `SparkError.io("cannot load libcurl.so.4: ...")`.
public final class CurlTransport: HTTPTransport {
    /// Connect timeout and longest stall with no bytes moving, in seconds.
    public let timeout: Double
    /// The `User-Agent` sent with every request.
    public let userAgent: String
    /// A CA bundle to verify servers with instead of the system's (`--cacert`, `SSL_CERT_FILE`).
    public let caFile: String?
    /// The largest response body kept in memory (JSON answers, error pages); streamed
    /// downloads are not bounded. A bigger (or more inflated) body fails the request.
    public let maxBodyBytes: Int

    /// Protocols curl may use, for requests and redirects: never `file:`, `gopher:`, ...
    static let protocols = "http,https"

    static let systemCADirectory = "/etc/ssl/certs"

    /// Each thread's easy handle (retained), released when the thread exits.
    private let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { releaseEasyHandle($0) }
        return key
    }()

    /// A transport with a connect and stall `timeout`, an extra CA bundle `caFile`, and a cap on a JSON body.
    public init(timeout: Double = 60, userAgent: String, caFile: String? = nil, maxBodyBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.userAgent = userAgent
        self.caFile = caFile
        self.maxBodyBytes = maxBodyBytes
    }

    /// Sends `request`, streaming the body into `sink` when given; throws `TransportFailure`.
    public func perform(_ request: HTTPRequest, sink: BodySink?, progress: ProgressHandler?) throws -> HTTPResponse {
        try Self.loadLibrary()
        let handle = threadHandle()
        ss_easy_reset(handle.curl)
        let transfer = Transfer(sink: sink, progress: progress, onHead: request.onHead, maxBodyBytes: maxBodyBytes)
        var cleanup: [() -> Void] = []
        defer { cleanup.forEach { $0() } }
        try configure(handle.curl, request, transfer: transfer, cleanup: &cleanup)
        let code = ss_easy_perform(handle.curl)
        if let error = transfer.sinkError { throw error }
        guard code == CURLE_OK else { throw failure(code, handle.curl, transfer) }
        return HTTPResponse(status: transfer.status, headers: transfer.headers, body: transfer.body)
    }

    /// Loads libcurl once per process (any thread); throws why it cannot be loaded.
    public static func loadLibrary() throws {
        if let failure = ss_curl_load() { throw SparkError.io(String(cString: failure)) }
    }

    /// libcurl's own version line (`libcurl/8.5.0 OpenSSL/3.0.13 ...`), or why it cannot be loaded.
    public static func libraryVersion() -> String {
        if let failure = ss_curl_load() { return String(cString: failure) }
        return String(cString: ss_curl_version())
    }

    /// Tries to open `library` as libcurl without using it: nil, or why not.
    /// For tests of the loader's error path.
    static func probeLibrary(_ library: String) -> String? {
        var api = ss_curl_api()
        var error = [CChar](repeating: 0, count: 512)
        guard let failure = ss_curl_open(library, &api, &error, error.count) else { return nil }
        return String(cString: failure)
    }

    private func threadHandle() -> EasyHandle {
        if let stored = pthread_getspecific(threadKey) {
            return Unmanaged<EasyHandle>.fromOpaque(stored).takeUnretainedValue()
        }
        let handle = EasyHandle()
        pthread_setspecific(threadKey, Unmanaged.passRetained(handle).toOpaque())
        return handle
    }

    private func configure(
        _ curl: UnsafeMutableRawPointer, _ request: HTTPRequest, transfer: Transfer, cleanup: inout [() -> Void]
    ) throws {
        ss_setopt_string(curl, CURLOPT_URL, request.url)
        ss_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
        guard ss_setopt_string(curl, CURLOPT_PROTOCOLS_STR, Self.protocols) == CURLE_OK,
              ss_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, Self.protocols) == CURLE_OK
        else { throw SparkError.io("libcurl is too old to be limited to HTTP(S) (7.85 or newer is needed)") }
        if let caFile {
            // An extra CA: the file, and still the system's directory of CAs.
            ss_setopt_string(curl, CURLOPT_CAINFO, caFile)
            if FileManager.default.fileExists(atPath: Self.systemCADirectory) {
                ss_setopt_string(curl, CURLOPT_CAPATH, Self.systemCADirectory)
            }
        }
        ss_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        ss_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000))
        // A stall timeout, not a cap: a long download that keeps moving is fine.
        ss_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
        ss_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, Int(timeout.rounded(.up))))
        // Redirects keep the method; curl drops our Authorization header on another host, port or scheme.
        ss_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
        ss_setopt_long(curl, CURLOPT_MAXREDIRS, 5)
        ss_setopt_string(curl, CURLOPT_ACCEPT_ENCODING, "")
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        ss_setopt_write_function(curl, curlWrite)
        ss_setopt_pointer(curl, CURLOPT_WRITEDATA, userdata)
        ss_setopt_header_function(curl, curlHeader)
        ss_setopt_pointer(curl, CURLOPT_HEADERDATA, userdata)
        if transfer.progress != nil {
            ss_setopt_long(curl, CURLOPT_NOPROGRESS, 0)
            ss_setopt_xferinfo_function(curl, curlProgress)
            ss_setopt_pointer(curl, CURLOPT_XFERINFODATA, userdata)
        }
        var headers = request.headers.map { "\($0.0): \($0.1)" }
        headers.append("Expect:")  // no 100-continue round trip before uploads
        try configureBody(curl, request, headers: &headers, cleanup: &cleanup)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for line in headers { list = ss_slist_append(list, line) }
        ss_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
        cleanup.append { ss_slist_free_all(list) }
    }

    private func configureBody(
        _ curl: UnsafeMutableRawPointer, _ request: HTTPRequest, headers: inout [String], cleanup: inout [() -> Void]
    ) throws {
        switch request.method {
        case .get: break
        case .head: ss_setopt_long(curl, CURLOPT_NOBODY, 1)
        case .post:
            ss_setopt_long(curl, CURLOPT_POST, 1)
            // libcurl sends a request again on a new connection when a reused one dies before any
            // answer: harmless for a GET, a duplicate message for a POST. A POST never rides on a
            // reused connection, so that replay never happens (the cost: bench/post-fresh.sh).
            ss_setopt_long(curl, CURLOPT_FRESH_CONNECT, 1)
        case .put, .patch, .delete: ss_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        switch request.body {
        case .none:
            if request.method == .post { ss_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, 0) }
        case .json(let bytes):
            headers.append("Content-Type: application/json; charset=utf-8")
            ss_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            bytes.withUnsafeBufferPointer { buffer in
                _ = ss_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
        case .form(let bytes):
            headers.append("Content-Type: application/x-www-form-urlencoded")
            ss_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            bytes.withUnsafeBufferPointer { buffer in
                _ = ss_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
        case .multipart(let parts):
            let mime = ss_mime_init(curl)
            cleanup.append { ss_mime_free(mime) }
            for part in parts { try addPart(part, to: mime) }
            ss_setopt_mime(curl, mime)
        }
    }

    private func addPart(_ part: MultipartPart, to mime: OpaquePointer?) throws {
        let handle = ss_mime_addpart(mime)
        switch part {
        case .field(let name, let value):
            ss_mime_name(handle, name)
            let bytes = Array(value.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { _ = ss_mime_data(handle, $0.baseAddress, bytes.count) }
            }
        case .file(let name, let path, let fileName, let contentType):
            ss_mime_name(handle, name)
            // curl reads the file piece by piece while sending.
            guard ss_mime_filedata(handle, path) == CURLE_OK else {
                throw SparkError.invalidInput("cannot read \(path)")
            }
            ss_mime_filename(handle, fileName)
            ss_mime_type(handle, contentType)
        }
    }

    private func failure(_ code: CURLcode, _ curl: UnsafeMutableRawPointer, _ transfer: Transfer) -> TransportFailure {
        let message = String(cString: ss_easy_strerror(code))
        var sent: curl_off_t = 0
        ss_getinfo_off(curl, CURLINFO_SIZE_UPLOAD_T, &sent)
        var requestSize: Int = 0
        ss_getinfo_long(curl, CURLINFO_REQUEST_SIZE, &requestSize)
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
             CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            // Trying again cannot help: the certificate, the URL or the scheme is wrong.
            return TransportFailure(kind: .permanent, message: message)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportFailure(kind: .notConnected, message: message)
        case CURLE_OPERATION_TIMEDOUT:
            // A connect timeout sent nothing; a stall after the request did.
            return TransportFailure(kind: requestSize == 0 ? .notConnected : .timedOut, message: message)
        case CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK:
            return TransportFailure(kind: .aborted, message: message)
        default:
            return TransportFailure(kind: .broken, message: message)
        }
    }
}

/// A curl easy handle owned by one thread, freed with it.
private final class EasyHandle {
    let curl: UnsafeMutableRawPointer

    init() { curl = ss_easy_init() }
    deinit { ss_easy_cleanup(curl) }
}

/// State of one transfer, reached from curl's C callbacks through `userdata`.
private final class Transfer {
    let sink: BodySink?
    let progress: ProgressHandler?
    let onHead: ResponseHeadHandler?
    let maxBodyBytes: Int
    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var sinkError: Error?

    init(sink: BodySink?, progress: ProgressHandler?, onHead: ResponseHeadHandler?, maxBodyBytes: Int) {
        self.sink = sink
        self.progress = progress
        self.onHead = onHead
        self.maxBodyBytes = maxBodyBytes
    }

    /// Keeps a chunk of a body held in memory; false (and the transfer stops) past the cap.
    func keep(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard body.count + buffer.count <= maxBodyBytes else {
            body = []
            sinkError = SparkError.io("the server sent a response larger than \(maxBodyBytes >> 20) MB; stopped reading it")
            return false
        }
        body.append(contentsOf: buffer)
        return true
    }

    var streamsBody: Bool { sink != nil && (200..<300).contains(status) }

    func headerLine(_ line: String) {
        let trimmed = line.trimmingSpacesAndNewlines()
        if trimmed.isEmpty {
            // The end of a header block; 1xx and redirects are followed by another one.
            if !(100..<200).contains(status) && !(300..<400).contains(status) { onHead?(status, headers) }
        } else if trimmed.hasPrefix("HTTP/") {
            // A new response (after a redirect or 1xx): forget the previous headers.
            headers = HTTPHeaders()
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon])
            let value = trimmed[trimmed.index(after: colon)...].trimmingSpaces()
            headers.add(name, value)
            // One allocation for the body instead of doubling copies; a lying length costs at most 16 MB.
            if sink == nil, name.lowercased() == "content-length", let length = Int(value), length > 0 {
                body.reserveCapacity(min(length, 16 << 20))
            }
        }
    }
}

private func transfer(_ userdata: UnsafeMutableRawPointer?) -> Transfer {
    Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
}

private let curlWrite: curl_write_callback = { data, size, count, userdata in
    let state = transfer(userdata)
    let length = size * count
    guard let data, length > 0 else { return length }
    let buffer = UnsafeRawBufferPointer(start: data, count: length)
    if state.streamsBody {
        do {
            try state.sink!(buffer)
        } catch {
            state.sinkError = error
            return 0  // tells curl to stop
        }
    } else if !state.keep(buffer) {
        return 0  // tells curl to stop
    }
    return length
}

private let curlHeader: curl_write_callback = { data, size, count, userdata in
    let length = size * count
    guard let data else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    transfer(userdata).headerLine(line)
    return length
}

private let curlProgress: curl_xferinfo_callback = { userdata, total, received, uploadTotal, uploaded in
    let state = transfer(userdata)
    if state.streamsBody {
        state.progress?(Int64(received), Int64(total))
    } else if state.sink == nil, uploadTotal > 0 {
        // A request without a download sink reports its upload (post --file).
        state.progress?(Int64(uploaded), Int64(uploadTotal))
    }
    return 0
}

/// The destructor of a thread's handle (its pointer is optional on Linux, not on Darwin).
private func releaseEasyHandle(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    Unmanaged<EasyHandle>.fromOpaque(handle).release()
}
