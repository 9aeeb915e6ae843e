#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A websocket session that cannot go on: exit codes are the command line's (ExitCodes.swift).
public enum EventSocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server closed the socket with `code` (4400, 4401, 4403: authorization; 4000:
    /// another client took the device).
    case closed(code: Int, reason: String)
    /// Webex caps the devices of one user: this is its 403.
    case deviceLimit(message: String)
    /// The catalog names no device service, or a service the token may not go to.
    case discovery(String)

    /// The error in one sentence for an error line; the server's words are sanitized.
    public var description: String {
        switch self {
        case .closed(let code, let reason):
            let said = reason.isEmpty ? "" : " (\(printable(reason)))"
            switch code {
            case 4000: return "the websocket was closed 4000\(said): another client took over this device"
            case 4401: return "the websocket was closed 4401\(said): the token was not accepted"
            case 4400, 4403: return "the websocket was closed \(code)\(said): not authorized to receive events"
            default: return "the websocket was closed \(code)\(said)"
            }
        case .deviceLimit(let message):
            return "Webex refused to register a device: \(printable(message)) (too many devices for this "
                + "identity; earlier runs' devices expire by themselves, or --prune-devices deletes them)"
        case .discovery(let why): return why
        }
    }
}

/// A registered Webex device: where it is and where its socket is.
public struct MercuryDevice: Sendable, Equatable {
    /// The device's own URL (refresh with PUT, delete with DELETE).
    public var url: String
    /// The URL of the device's websocket (`wss://`; `ws://` only when the catalog was plain HTTP).
    public var webSocketUrl: String
}

/// Discovery and the device life cycle (SPEC "Events without a public URL"): the u2c catalog
/// names the device service (wdm); a device is registered with a ttl, refreshed, and deleted.
public final class MercuryDevices {
    /// How this program's device names start: `prune` deletes only devices whose name starts with it.
    public static let namePrefix = "spark-space"
    /// The device's name at Webex: "spark-space on HOST".
    public let name: String
    /// How long Webex keeps the device without a refresh (seconds); sent with each registration and refresh.
    public let ttl: Int
    private let space: Space
    private let role: TokenRole
    private var wdm: WebexClient?

    /// Devices of `space`'s identity, asked with the token of `role`. `host` only names the device
    /// ("spark-space on HOST", usually this machine's host name) so a person can tell in Webex's device
    /// list which machine registered it; nothing connects to it. `ttl` is in seconds.
    /// Nothing is sent until the first call (discovery happens once, in `deviceService`).
    public init(space: Space, role: TokenRole = .bot, host: String, ttl: Int = 1800) {
        self.space = space
        self.role = role
        self.name = "\(Self.namePrefix) on \(host)"
        self.ttl = ttl
    }

    /// The device service's base URL, from `GET {u2c}/catalog?format=hostmap` (once).
    public func deviceService() throws -> WebexClient {
        if let wdm { return wdm }
        let u2c = try space.serviceClient(baseURL: space.settings.u2cURL, as: role)
        let catalog = try u2c.get("catalog", query: [("format", "hostmap")])
        guard let link = catalog["serviceLinks"]?["wdm"]?.string, !link.isEmpty else {
            throw EventSocketError.discovery("the service catalog (\(space.settings.u2cURL)) names no device service (serviceLinks.wdm)")
        }
        try Self.checkTrusted(link, from: space.settings.u2cURL, what: "the device service")
        let client = try space.serviceClient(baseURL: link, as: role)
        wdm = client
        return client
    }

    /// A URL from an answer gets the token only over TLS, unless the catalog itself was
    /// plain HTTP (a test server on loopback).
    static func checkTrusted(_ url: String, from origin: String, what: String) throws {
        let scheme = url.split(separator: ":").first.map { $0.lowercased() } ?? ""
        let plainAllowed = origin.lowercased().hasPrefix("http://")
        guard scheme == "https" || scheme == "wss" || (plainAllowed && (scheme == "http" || scheme == "ws")) else {
            throw EventSocketError.discovery("\(what) URL is not https: \(printable(url))")
        }
    }

    private var body: JSON {
        [
            "deviceName": .string(name), "name": .string(name), "deviceType": "DESKTOP",
            "localizedModel": "spark-space", "model": "spark-space", "systemName": "spark-space",
            "systemVersion": .string(sparkSpaceVersion), "ttl": .int(Int64(ttl)),
        ]
    }

    /// `POST {wdm}/devices`; Webex's cap on devices is `deviceLimit`.
    public func register() throws -> MercuryDevice {
        let wdm = try deviceService()
        let answer: JSON
        do {
            answer = try wdm.post("devices", body)
        } catch SparkError.api(let failure) where failure.status == 403 && Self.isDeviceCap(failure.message) {
            throw EventSocketError.deviceLimit(message: failure.message)
        }
        return try device(from: answer, wdm: wdm)
    }

    static func isDeviceCap(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("excessive device") || lower.contains("device limit") || lower.contains("too many devices")
    }

    private func device(from answer: JSON, wdm: WebexClient) throws -> MercuryDevice {
        guard let url = answer["url"]?.string, let socket = answer["webSocketUrl"]?.string else {
            throw SparkError.io("the device service answered without url and webSocketUrl")
        }
        try Self.checkTrusted(url, from: wdm.baseURL, what: "the device")
        try Self.checkTrusted(socket, from: wdm.baseURL, what: "the device's websocket")
        return MercuryDevice(url: url, webSocketUrl: socket)
    }

    /// `PUT {device url}` so the device lives another ttl; nil when it is gone (404, 410).
    public func refresh(_ device: MercuryDevice) throws -> MercuryDevice? {
        let wdm = try deviceService()
        do {
            return try self.device(from: try wdm.put(device.url, body), wdm: wdm)
        } catch SparkError.api(let failure) where failure.status == 404 || failure.status == 410 {
            return nil
        }
    }

    /// `DELETE {device url}`; a device already gone is fine.
    public func delete(_ device: MercuryDevice) throws {
        do {
            try deviceService().delete(device.url)
        } catch SparkError.api(let failure) where failure.status == 404 || failure.status == 410 {
            return
        }
    }

    /// Deletes this identity's devices that spark-space named (`spark-space on HOST`, any host:
    /// `--prune-devices`), not another program's whose name only begins the same; returns the
    /// names and URLs deleted.
    public func prune() throws -> [(name: String, url: String)] {
        let wdm = try deviceService()
        let listing = try wdm.get("devices")
        var deleted: [(name: String, url: String)] = []
        for device in listing["devices"]?.array ?? [] {
            let name = device["name"]?.string ?? device["deviceName"]?.string ?? ""
            guard name == Self.namePrefix || name.hasPrefix(Self.namePrefix + " "), let url = device["url"]?.string else {
                continue
            }
            try Self.checkTrusted(url, from: wdm.baseURL, what: "a device")
            try delete(MercuryDevice(url: url, webSocketUrl: ""))
            deleted.append((name, url))
        }
        return deleted
    }
}
