import Foundation
import Yams

/// Resolved settings (seed `SparkSpace.check()`), after flags, the settings file,
/// environment fallbacks and defaults, in that order of precedence.
public struct Settings: Sendable, Equatable {
    public var apiURL = "https://webexapis.com/v1"
    public var room = "Collaboration space"
    /// True when `space.room` was given (flag, file or `$CHAT_ROOM_TITLE`); false when `room`
    /// is the seed's fallback title, which only `provision` may use (SPEC: no implicit room).
    public var roomIsSet = false
    public var participants: [String] = []
    public var team: String?
    public var token: String?
    public var auditToken: String?
    public var serverURL: String?
    public var hook = "/hook"
    public var binding = "0.0.0.0"
    public var port = 8080
    public var secret: String?
    public var retryDelays: [Double] = [0.1, 1, 5]
    /// The settings file that was read, if any.
    public var file: String?

    public init() {}

    /// The resolved settings as one nested object, tokens and secret shown as `***` plus their last 4 characters.
    public var redactedJSON: JSON {
        func opt(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
        return [
            "file": opt(file),
            "api_url": .string(apiURL),
            "space": [
                "room": .string(room),
                "participants": .array(participants.map(JSON.string)),
                "team": opt(team),
                "token": opt(token.map(redact)),
                "audit_token": opt(auditToken.map(redact)),
            ],
            "server": [
                "url": opt(serverURL), "hook": .string(hook), "binding": .string(binding),
                "port": .int(Int64(port)), "secret": opt(secret.map(redact)),
            ],
            "network": ["retry_delays": .array(retryDelays.map(JSON.double))],
        ]
    }
}

/// `***` plus the last 4 characters: enough to tell tokens apart, never enough to use one.
public func redact(_ secret: String) -> String {
    secret.count > 8 ? "***" + secret.suffix(4) : "***"
}

/// Reads settings the way SPEC "Settings" says.
public struct SettingsLoader {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The settings file to read: `explicit`, else `$SPARK_SPACE_CONFIG`, else the XDG default when it exists.
    public func settingsFile(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let env = environment["SPARK_SPACE_CONFIG"], !env.isEmpty { return env }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let path = base + "/spark-space/settings.yaml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Resolves settings. `overrides` are flag values by dotted key (`space.token`, `space.room`, `api_url`).
    public func load(file explicit: String?, overrides: [String: String] = [:]) throws -> Settings {
        var keys: [String: Any] = [:]
        let file = settingsFile(explicit: explicit)
        if let file { keys = try Self.flatten(try read(file)) }
        for (key, value) in overrides { keys[key] = value }
        return try resolve(keys, file: file, literal: Set(overrides.keys))
    }

    /// Parses a YAML or JSON document (JSON is YAML) into nested values.
    func read(_ path: String) throws -> Any {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparkError.settings("cannot read settings file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        do {
            return try Yams.load(yaml: text) ?? [String: Any]()
        } catch {
            throw SparkError.settings("settings file \(path) is not valid YAML or JSON: \(Self.firstLine(error))")
        }
    }

    static func firstLine(_ error: Error) -> String {
        "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    /// Nested and dotted keys both become dotted keys; the older prefix `spark.` reads as `space.`.
    static func flatten(_ value: Any, prefix: String = "") throws -> [String: Any] {
        guard let map = value as? [AnyHashable: Any] else {
            if prefix.isEmpty { throw SparkError.settings("settings file must hold a mapping of keys") }
            return [prefix: value]
        }
        var out: [String: Any] = [:]
        for (key, child) in map {
            var name = prefix.isEmpty ? "\(key)" : "\(prefix).\(key)"
            if name == "spark" || name.hasPrefix("spark.") { name = "space" + name.dropFirst("spark".count) }
            if child is [AnyHashable: Any] {
                out.merge(try flatten(child, prefix: name)) { _, new in new }
            } else {
                out[name] = child
            }
        }
        return out
    }

    private func resolve(_ keys: [String: Any], file: String?, literal: Set<String>) throws -> Settings {
        var s = Settings()
        s.file = file
        func string(_ key: String, env: String? = nil) throws -> String? {
            if let value = keys[key], !(value is NSNull) {
                guard let text = scalarText(value) else {
                    throw SparkError.settings("setting \(key) must be a single value")
                }
                return literal.contains(key) ? text : try expand(text, key: key)
            }
            return env.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        }
        s.apiURL = try string("api_url", env: "SPARK_API_URL") ?? s.apiURL
        if let room = try string("space.room", env: "CHAT_ROOM_TITLE") {
            s.room = room
            s.roomIsSet = true
        }
        s.team = try string("space.team")
        s.token = try string("space.token", env: "CISCO_SPARK_BOT_TOKEN")
        s.auditToken = try string("space.audit_token", env: "CISCO_SPARK_AUDIT_TOKEN")
        s.serverURL = try string("server.url", env: "SERVER_URL")
        s.hook = try string("server.hook") ?? s.hook
        s.binding = try string("server.binding") ?? s.binding
        s.secret = try string("server.secret", env: "SPARK_WEBHOOK_SECRET")
        s.participants = try participants(keys["space.participants"])
        if let port = try string("server.port") {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw SparkError.settings("server.port must be a port number, not \(port)")
            }
            s.port = value
        }
        if let delays = keys["network.retry_delays"] { s.retryDelays = try retryDelays(delays) }
        return s
    }

    private func scalarText(_ value: Any) -> String? {
        switch value {
        case let s as String: return s
        case let i as Int: return String(i)
        case let d as Double: return String(d)
        case let b as Bool: return String(b)
        default: return nil
        }
    }

    private func participants(_ value: Any?) throws -> [String] {
        let items: [String]
        switch value {
        case nil, is NSNull:
            items = (environment["CHANNEL_DEFAULT_PARTICIPANTS"] ?? "").split(separator: ",").map(String.init)
        case let list as [Any]:
            items = try list.map { try expand(scalarText($0) ?? "", key: "space.participants") }
        case let single:
            // A single participant becomes a one-item list (seed `check()`).
            items = [try expand(scalarText(single) ?? "", key: "space.participants")]
        }
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func retryDelays(_ value: Any) throws -> [Double] {
        let list = value as? [Any] ?? [value]
        return try list.map { item in
            guard let text = scalarText(item), let d = Double(text), d >= 0, d.isFinite else {
                throw SparkError.settings("network.retry_delays must be a list of seconds, like [0.1, 1, 5]")
            }
            return d
        }
    }

    /// `$NAME` or `${NAME}` reads the environment; an unset variable is an error naming it.
    func expand(_ text: String, key: String) throws -> String {
        guard text.hasPrefix("$") else { return text }
        var name = Substring(text.dropFirst())
        if name.hasPrefix("{") && name.hasSuffix("}") { name = name.dropFirst().dropLast() }
        guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else { return text }
        guard let value = environment[String(name)] else {
            throw SparkError.settings("setting \(key) refers to $\(name), which is not set in the environment")
        }
        return value
    }
}
