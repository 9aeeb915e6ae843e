#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a setting's value came from (`settings show --sources`).
public enum SettingSource: String, Sendable, Equatable {
    case flag, file, env, `default`
    /// The profile's keys in the settings file (`profiles.NAME`; `settings show --sources` names it).
    case profile
    /// The stored sign-in (`auth login`), as the audit token.
    case signIn = "sign-in"
}

/// Resolved settings (seed `SparkSpace.check()`), after flags, the settings file,
/// environment fallbacks and defaults, in that order of precedence.
public struct Settings: Sendable, Equatable {
    /// The seed's room title when none is given; SPEC: it applies to `provision` alone.
    public static let fallbackRoomTitle = "Collaboration space"
    /// The keys a settings file may hold (nested or dotted; `spark.` reads as `space.`).
    public static let keys = [
        "api_url", "space.room", "space.participants", "space.team", "space.token", "space.audit_token",
        "server.url", "server.hook", "server.binding", "server.port", "server.secret", "network.retry_delays",
        "oauth.client_id", "oauth.client_secret", "network.u2c_url",
    ]
    /// The name of the default sign-in (a run without a profile).
    public static let defaultProfile = CredentialsStore.defaultProfile

    /// The API base URL (`api_url`, `SPARK_API_URL`).
    public var apiURL = "https://webexapis.com/v1"
    /// `space.room`, else `$CHAT_ROOM_TITLE`; nil when neither is given.
    public var room: String?
    /// The people a new room gets (`space.participants`).
    public var participants: [String] = []
    /// The default team of new rooms (`space.team`).
    public var team: String?
    /// The bot token (`space.token`, `CISCO_SPARK_BOT_TOKEN`).
    public var token: String?
    /// The audit token: a person's token (`space.audit_token`, `CISCO_SPARK_AUDIT_TOKEN`).
    public var auditToken: String?
    /// The public URL the listener's webhooks point at (`server.url`).
    public var serverURL: String?
    /// The path deliveries are posted to (`server.hook`).
    public var hook = "/hook"
    /// The address the listener binds (`server.binding`).
    public var binding = "0.0.0.0"
    /// The port the listener binds (`server.port`).
    public var port = 8080
    /// The secret webhook deliveries are signed with (`server.secret`, `SPARK_WEBHOOK_SECRET`).
    public var secret: String?
    /// The delays between retries of a network error or a 5xx (`retry_delays`).
    public var retryDelays: [Double] = [0.1, 1, 5]
    /// The client id of the integration `auth login` signs in with (`oauth.client_id`, `SPARK_OAUTH_CLIENT_ID`).
    public var clientId: String?
    /// The integration's secret (`oauth.client_secret`, `SPARK_OAUTH_CLIENT_SECRET`); redacted when shown.
    public var clientSecret: String?
    /// The profile in use (`--profile`, `$SPARK_SPACE_PROFILE`); nil: the top-level keys alone.
    public var profile: String?
    /// The profiles the settings file defines, sorted.
    public var profiles: [String] = []
    /// Webex's service catalog, where the websocket's device service is found (`network.u2c_url`).
    public var u2cURL = "https://u2c.wbx2.com/u2c/api/v1"
    /// The settings file that was read, if any.
    public var file: String?
    /// Where each value came from, by dotted key (every key of `keys`).
    public var sources: [String: SettingSource] = [:]
    /// Where a token given by the caller came from, by key (`space.token` → `--token-file t`):
    /// what a 401/403 names; a key not here is named by its `sources` entry.
    public var tokenOrigins: [String: String] = [:]

    /// The defaults.
    public init() {}

    /// The resolved settings as one nested object, tokens and secret shown as `***` plus their last 4 characters.
    public var redactedJSON: JSON {
        func opt(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
        return [
            "file": opt(file),
            "api_url": .string(apiURL),
            "space": [
                "room": opt(room),
                "participants": .array(participants.map(JSON.string)),
                "team": opt(team),
                "token": opt(token.map(redact)),
                "audit_token": opt(auditToken.map(redact)),
            ],
            "server": [
                "url": opt(serverURL), "hook": .string(hook), "binding": .string(binding),
                "port": .int(Int64(port)), "secret": opt(secret.map(redact)),
            ],
            "network": ["retry_delays": .array(retryDelays.map(JSON.double)), "u2c_url": .string(u2cURL)],
            "oauth": ["client_id": opt(clientId), "client_secret": opt(clientSecret.map(redact))],
            "profile": opt(profile),
        ]
    }

    /// `sources` as a JSON object: dotted key → `flag`, `file`, `env` or `default`.
    public var sourcesJSON: JSON {
        .object(sources.mapValues { .string(sourceName($0)) })
    }

    /// How a source reads: `file`, `env`, ... and `profile NAME` for a profile's key.
    public func sourceName(_ source: SettingSource) -> String {
        source == .profile ? "profile \(profile ?? "")" : source.rawValue
    }

    /// The sign-in the profile in use keeps in the credentials file.
    public var signInProfile: String { profile ?? Self.defaultProfile }
}

/// `***` plus the last 4 characters: enough to tell tokens apart, never enough to use one.
/// `json` with the value of every `secret` member, at any depth, redacted: what `api`
/// prints of an answer the tool did not shape itself (a webhook's secret is echoed by Webex).
package func redactingSecrets(_ json: JSON) -> JSON {
    switch json {
    case .object(var members):
        for (key, value) in members {
            if key == "secret", let text = value.string {
                members[key] = .string(redact(text))
            } else {
                members[key] = redactingSecrets(value)
            }
        }
        return .object(members)
    case .array(let items): return .array(items.map(redactingSecrets))
    default: return json
    }
}

package func redact(_ secret: String) -> String {
    secret.count > 8 ? "***" + secret.suffix(4) : "***"
}

/// Reads settings the way SPEC "Settings" says.
public struct SettingsLoader: Sendable {
    /// The environment the settings read (`$VAR` in files, the `CISCO_SPARK_*` variables).
    public var environment: [String: String]

    /// Most retry delays accepted, and the longest one (seconds).
    static let maxRetryDelays = 20
    static let maxRetryDelay = 3600.0

    /// A loader reading `environment` (by default the process's).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The settings file to read: `explicit`, else `$SPARK_SPACE_CONFIG`, else the XDG default when it exists.
    public func settingsFile(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let env = environment["SPARK_SPACE_CONFIG"], !env.isEmpty { return env }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let path = base + "/spark-space/settings.yaml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Resolves settings. `overrides` are flag values by dotted key (`space.token`, `space.room`, `api_url`);
    /// `profile` (`--profile`, else `$SPARK_SPACE_PROFILE`) lays `profiles.NAME` over the top-level keys.
    public func load(file explicit: String?, overrides: [String: String] = [:], profile: String? = nil) throws -> Settings {
        var given: [String: GivenValue] = [:]
        let file = settingsFile(explicit: explicit)
        if let file { given = try SettingsKeys.collect(try SettingsFileReader.load(path: file), file: file) }
        let (topLevel, profiles) = SettingsKeys.splitProfiles(given)
        given = topLevel
        let chosen = profile ?? environment["SPARK_SPACE_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let chosen {
            guard let keys = profiles[chosen] else { throw unknownProfile(chosen, known: profiles.keys, file: file) }
            given.merge(keys) { _, fromProfile in fromProfile }
        }
        for (key, value) in overrides {
            given[key] = GivenValue(node: .scalar(value), place: "the command line", source: .flag)
        }
        var settings = try resolve(given, file: file)
        settings.profile = chosen
        settings.profiles = profiles.keys.sorted()
        return settings
    }

    /// The profile names a settings file defines (for completions); none without a file.
    public func profileNames(file explicit: String?) throws -> [String] {
        guard let file = settingsFile(explicit: explicit) else { return [] }
        let given = try SettingsKeys.collect(try SettingsFileReader.load(path: file), file: file)
        return SettingsKeys.splitProfiles(given).profiles.keys.sorted()
    }

    private func unknownProfile(_ name: String, known: Dictionary<String, [String: GivenValue]>.Keys,
                                file: String?) -> SparkError {
        guard let file, !known.isEmpty else {
            return .settings("no profile '\(printable(name))': "
                + (file.map { "settings file \($0) defines no profiles" } ?? "no settings file defines profiles"))
        }
        let key = String(name.prefix(64)).lowercased()
        let close = known.min { editDistance(key, $0.lowercased()) < editDistance(key, $1.lowercased()) }!
        return .settings("no profile '\(printable(name))' in settings file \(file); did you mean '\(printable(close))'?")
    }

    private func resolve(_ given: [String: GivenValue], file: String?) throws -> Settings {
        var s = Settings()
        s.file = file
        for key in Settings.keys { s.sources[key] = given[key]?.source ?? .default }
        func string(_ key: String, env: String? = nil) throws -> String? {
            if let value = given[key] {
                guard case .scalar(let text) = value.node else {
                    throw SparkError.settings("\(value.place): \(key) must be a single value, not a list or mapping")
                }
                return value.source == .flag ? text : try expand(text, key: key)
            }
            guard let env, let value = environment[env], !value.isEmpty else { return nil }
            s.sources[key] = .env
            return value
        }
        s.apiURL = try string("api_url", env: "SPARK_API_URL") ?? s.apiURL
        s.room = try string("space.room", env: "CHAT_ROOM_TITLE")
        s.team = try string("space.team")
        s.token = try checkedToken(try string("space.token", env: "CISCO_SPARK_BOT_TOKEN"), "space.token", given)
        s.auditToken = try checkedToken(try string("space.audit_token", env: "CISCO_SPARK_AUDIT_TOKEN"),
                                        "space.audit_token", given)
        s.serverURL = try string("server.url", env: "SERVER_URL")
        s.hook = try string("server.hook") ?? s.hook
        s.binding = try string("server.binding") ?? s.binding
        s.secret = try string("server.secret", env: "SPARK_WEBHOOK_SECRET")
        if let port = try string("server.port") { s.port = try Self.port(port, at: given["server.port"]?.place) }
        s.participants = try participants(given["space.participants"])
        if given["space.participants"] == nil && environment["CHANNEL_DEFAULT_PARTICIPANTS"] != nil {
            s.sources["space.participants"] = .env
        }
        if let delays = given["network.retry_delays"] { s.retryDelays = try retryDelays(delays) }
        s.clientId = try string("oauth.client_id", env: "SPARK_OAUTH_CLIENT_ID")
        s.clientSecret = try string("oauth.client_secret", env: "SPARK_OAUTH_CLIENT_SECRET")
        s.u2cURL = try string("network.u2c_url", env: "SPARK_U2C_URL") ?? s.u2cURL
        return s
    }

    /// A token goes into an HTTP header: a control character (CR/LF) would inject another header.
    private func checkedToken(_ token: String?, _ key: String, _ given: [String: GivenValue]) throws -> String? {
        guard let token else { return nil }
        guard !token.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            let from = given[key]?.place ?? "the environment"
            throw SparkError.settings("\(from): \(key) contains a control character (a line break?)")
        }
        return token
    }

    static func port(_ text: String, at place: String?) throws -> Int {
        guard let value = Int(text), (0...65535).contains(value) else {
            let prefix = place.map { "\($0): " } ?? ""
            throw SparkError.settings("\(prefix)server.port must be a port number 0-65535, not \(printable(text))")
        }
        return value
    }

    private func participants(_ value: GivenValue?) throws -> [String] {
        guard let value else {
            let list = environment["CHANNEL_DEFAULT_PARTICIPANTS"] ?? ""
            return list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        }
        let nodes: [SettingsNode]
        switch value.node {
        case .list(let items): nodes = items
        // A single participant becomes a one-item list (seed `check()`).
        case let single: nodes = [single]
        }
        return try nodes.compactMap { node -> String? in
            switch node {
            case .null: return nil
            case .scalar(let text):
                let item = try expand(text, key: "space.participants").trimmingSpaces()
                return item.isEmpty ? nil : item
            default:
                throw SparkError.settings("\(value.place): space.participants must be a list of e-mails")
            }
        }
    }

    private func retryDelays(_ value: GivenValue) throws -> [Double] {
        let wrong = SparkError.settings(
            "\(value.place): network.retry_delays must be a list of at most \(Self.maxRetryDelays) delays "
                + "of 0 to \(Int(Self.maxRetryDelay)) seconds, like [0.1, 1, 5]")
        let items: [SettingsNode]
        switch value.node {
        case .list(let list): items = list
        case let single: items = [single]
        }
        guard items.count <= Self.maxRetryDelays else { throw wrong }
        return try items.map { item in
            guard case .scalar(let text) = item, let d = Double(text.trimmingSpaces()), d.isFinite,
                d >= 0, d <= Self.maxRetryDelay
            else { throw wrong }
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

/// A value given for a key, with where it was given (for messages and `--sources`).
struct GivenValue {
    var node: SettingsNode
    /// `settings file F, line N` or `the command line`.
    var place: String
    var source: SettingSource
}

/// Turns a settings file's mapping into dotted keys, refusing what SPEC does not know:
/// an unknown key (with the closest known one), a key given twice, `space:` and `spark:` together.
enum SettingsKeys {
    static let sections = ["space", "server", "network", "oauth"]
    /// `profiles.NAME.KEY`: a profile's keys are collected under this prefix, then split off.
    static let profilesKey = "profiles"

    static func collect(_ root: SettingsNode, file: String) throws -> [String: GivenValue] {
        let entries: [SettingsEntry]
        switch root {
        case .null: return [:]
        case .map(let list): entries = list
        default: throw SparkError.settings("settings file \(file) must hold a mapping of keys")
        }
        var out: [String: GivenValue] = [:]
        // Dotted `spark.x` and `space.y` may mix (the same key twice is refused); the two sections may not.
        let sectionNames = Set(entries.map(\.key))
        if sectionNames.contains("space") && sectionNames.contains("spark") {
            throw SparkError.settings(
                "settings file \(file) gives both space: and spark: (the older name of space:); keep space: alone")
        }
        try collect(entries, prefix: "", file: file, into: &out)
        return out
    }

    private static func collect(_ entries: [SettingsEntry], prefix: String, file: String,
                                into out: inout [String: GivenValue]) throws {
        for entry in entries {
            let written = prefix.isEmpty ? entry.key : prefix + "." + entry.key
            let name = normalized(written)
            let place = entry.line > 0 ? "settings file \(file), line \(entry.line)" : "settings file \(file)"
            let known = profileKey(name).map { Settings.keys.contains($0.key) } ?? Settings.keys.contains(name)
            if known {
                if entry.value == .null { continue }
                guard out[name] == nil else { throw SparkError.settings("\(place): \(name) is given twice") }
                out[name] = GivenValue(node: entry.value, place: place, source: .file)
            } else if sections.contains(profileKey(name)?.key ?? name) || isProfileLevel(name) {
                // A profile with no keys of its own still exists (`--profile NAME` selects it).
                if isProfileLevel(name), name.contains(".") {
                    out[name] = out[name] ?? GivenValue(node: .null, place: place, source: .file)
                }
                switch entry.value {
                case .null: continue
                case .map(let children):
                    try collect(children, prefix: written, file: file, into: &out)
                default:
                    throw SparkError.settings("\(place): \(printable(written)) must be a mapping of keys")
                }
            } else {
                throw SparkError.settings(
                    "\(place): unknown key '\(printable(written))'; did you mean '\(suggestion(for: name))'?")
            }
        }
    }

    /// `spark.x` reads as `space.x`; `network.api_url` as `api_url` (one key, two spellings);
    /// the same inside a profile.
    private static func normalized(_ key: String) -> String {
        if let (profile, inner) = profileKey(key) {
            return profilesKey + "." + profile + "." + normalized(inner)
        }
        if key == "network.api_url" { return "api_url" }
        guard key == "spark" || key.hasPrefix("spark.") else { return key }
        return "space" + key.dropFirst("spark".count)
    }

    /// The closest known key, inside the profile when the key is a profile's.
    private static func suggestion(for key: String) -> String {
        guard let (profile, inner) = profileKey(key) else { return closest(to: key) }
        return profilesKey + "." + profile + "." + closest(to: inner)
    }

    /// `profiles.NAME.KEY` → (NAME, KEY); nil for anything else.
    static func profileKey(_ key: String) -> (profile: String, key: String)? {
        let parts = key.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == profilesKey, !parts[1].isEmpty else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// `profiles` or `profiles.NAME`: mappings whose keys are profiles, or a profile's keys.
    private static func isProfileLevel(_ key: String) -> Bool {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        return parts[0] == Substring(profilesKey) && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty }
    }

    /// The top-level keys, and each profile's keys (their source: `.profile`).
    static func splitProfiles(_ given: [String: GivenValue]) -> (topLevel: [String: GivenValue],
                                                                   profiles: [String: [String: GivenValue]]) {
        var top: [String: GivenValue] = [:]
        var profiles: [String: [String: GivenValue]] = [:]
        for (key, value) in given {
            if let (profile, inner) = profileKey(key) {
                var value = value
                value.source = .profile
                profiles[profile, default: [:]][inner] = value
            } else if key.hasPrefix(profilesKey + ".") {
                // A profile's own line: it exists even with no keys (never wipes the keys read before).
                let name = String(key.dropFirst(profilesKey.count + 1))
                if profiles[name] == nil { profiles[name] = [:] }
            } else {
                top[key] = value
            }
        }
        return (top, profiles)
    }

    /// Words people write for a key under another name.
    private static let synonyms = ["title": "space.room", "name": "space.room", "email": "space.participants",
                                   "emails": "space.participants", "members": "space.participants"]

    /// The known key or section nearest to `key` (whole or last component).
    static func closest(to key: String) -> String {
        // A hostile file's key may be a megabyte long: the distance is quadratic.
        let key = String(key.prefix(64))
        let last = String(key.split(separator: ".").last ?? "")
        if let synonym = synonyms[last.lowercased()] { return synonym }
        let candidates = Settings.keys + sections
        func distance(_ known: String) -> Int {
            let knownLast = String(known.split(separator: ".").last ?? "")
            return min(editDistance(key.lowercased(), known), editDistance(last.lowercased(), knownLast))
        }
        return candidates.min { distance($0) < distance($1) } ?? "space.room"
    }
}
